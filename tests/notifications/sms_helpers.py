"""The SMS tests' fixtures: the fake Twilio server and the service's settings pointing at
it (as a worker reads them: the environment)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from sift.notifications.config import NotificationsSettings, get_notifications_settings
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, fake_twilio


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def sms_settings(
    monkeypatch: pytest.MonkeyPatch, twilio: FakeTwilio
) -> Iterator[Callable[..., NotificationsSettings]]:
    """`sms_settings(**env)`: the service's settings with Twilio at the fake; fast retries."""

    def configure(**env: str) -> NotificationsSettings:
        values = {
            "SIFT_NOTIFICATIONS_SMS_ACCOUNT_SID": ACCOUNT_SID,
            "SIFT_NOTIFICATIONS_SMS_AUTH_TOKEN": AUTH_TOKEN,
            "SIFT_NOTIFICATIONS_SMS_FROM_NUMBER": FROM_NUMBER,
            "SIFT_NOTIFICATIONS_SMS_BASE_URL": twilio.url,
            "SIFT_NOTIFICATIONS_DELIVERY_RETRY_BASE_SECONDS": "0.05",
            "SIFT_NOTIFICATIONS_DELIVERY_RETRY_MAX_SECONDS": "0.2",
            **env,
        }
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_notifications_settings.cache_clear()
        return get_notifications_settings()

    configure()
    yield configure
    monkeypatch.undo()
    get_notifications_settings.cache_clear()


def code_in(body: str) -> str:
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)
