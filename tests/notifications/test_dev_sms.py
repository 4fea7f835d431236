"""The development SMS capture: without a Twilio account, the development profile keeps
each text instead of sending it and lists it at `GET /api/dev/sms`, newest first; a phone
is verified with the code read there. Any other profile answers 404 and texts through
Twilio."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.core.config import CoreSettings, Environment
from sift.core.db import Database
from sift.notifications.app import create_app
from sift.notifications.config import get_notifications_settings
from sift.notifications.sms.capture import (
    CaptureSender,
    SmsStore,
    sms_dir,
    sms_sender,
)
from sift.notifications.sms.config import SmsSettings
from sift.notifications.sms.sender import TwilioSender
from tests.app_client import started_with_test_key
from tests.notifications.conftest import NotificationsApi

PHONE = "/api/notifications/phone"


@pytest.fixture
async def dev_api(
    settings: CoreSettings,
    db_connection: AsyncConnection,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[NotificationsApi]:
    """The notifications app in the development profile, no Twilio account configured."""
    for name in ("ACCOUNT_SID", "AUTH_TOKEN", "FROM_NUMBER"):
        monkeypatch.delenv(f"SIFT_NOTIFICATIONS_SMS_{name}", raising=False)
    get_notifications_settings.cache_clear()
    development = settings.model_copy(update={"env": Environment.development, "data_dir": tmp_path})
    app = create_app(development)
    try:
        async with started_with_test_key(app, settings, db_connection, database) as (
            client,
            key,
        ):
            yield NotificationsApi(app, client, key, settings)
    finally:
        get_notifications_settings.cache_clear()


async def test_a_phone_is_verified_with_the_code_the_capture_caught(
    dev_api: NotificationsApi,
) -> None:
    me = dev_api.caller("viewer")
    answer = await dev_api.client.put(PHONE, headers=me.headers, json={"number": "+15550001111"})
    assert answer.status_code == 202, answer.text

    listed = await dev_api.client.get("/api/dev/sms")
    assert listed.status_code == 200, listed.text
    [text] = listed.json()["items"]
    assert text["to"] == "+15550001111"
    code = re.search(r"\b(\d{6})\b", text["body"])
    assert code is not None

    answer = await dev_api.client.post(
        f"{PHONE}/verify", headers=me.headers, json={"code": code.group(1)}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"number": "+15*****1111", "verified": True}


async def test_outside_development_the_capture_is_not_there(
    api: NotificationsApi,
) -> None:
    answer = await api.client.get("/api/dev/sms")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_store_lists_newest_first_and_keeps_the_latest(tmp_path: Path) -> None:
    store = SmsStore(sms_dir(tmp_path), max_messages=2)
    for index in range(3):
        store.add("+15550001111", f"text {index}")
    assert [text.body for text in store.latest(10)] == ["text 2", "text 1"]
    assert [text.body for text in store.latest(1)] == ["text 2"]
    assert SmsStore(tmp_path / "nothing-yet").latest(5) == []


def test_only_development_without_an_account_captures(
    settings: CoreSettings, tmp_path: Path
) -> None:
    development = settings.model_copy(update={"env": Environment.development, "data_dir": tmp_path})
    account = SmsSettings(account_sid="AC1", auth_token="token", from_number="+15550000000")
    assert isinstance(sms_sender(SmsSettings(), development), CaptureSender)
    assert isinstance(sms_sender(account, development), TwilioSender)
    assert isinstance(sms_sender(SmsSettings(), settings), TwilioSender)  # the test profile
