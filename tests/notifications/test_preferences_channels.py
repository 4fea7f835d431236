"""Preferences as the channels honour them, through the real outbox, relay and consumer
group: a type switched off for in-app is not stored, a locked one always is, and its mail
always goes; what a person set is erased with them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from sift.contracts.events.documents import DocumentIndexFailed, IndexFailureCode
from sift.contracts.events.identity import PasswordChanged
from sift.contracts.events.privacy import ErasureRequested
from sift.core.db import Database
from sift.notifications.delivery.models import Delivery, EmailAddress
from sift.notifications.preferences.models import NotificationPreference, RecipientSettings
from tests.notifications.inapp import (
    Caller,
    Inbox,
    empty_preferences_and_deliveries,
    inbox,
    signing_key,
)
from tests.notifications.test_inapp_events import indexed, redeliver, upload

__all__ = ["inbox", "signing_key"]  # fixtures

URL = "/api/notifications/preferences"


@pytest.fixture
async def prefs(inbox: Inbox, database: Database) -> AsyncIterator[Inbox]:
    """The inbox, with the preference and delivery tables emptied before and after."""
    await empty_preferences_and_deliveries(database)
    yield inbox
    await empty_preferences_and_deliveries(database)


async def switch_off(inbox: Inbox, me: Caller, type_: str, **channels: bool) -> None:
    row = {"type": type_, "in_app": True, "email": True, "sms": False, **channels}
    answer = await inbox.client.put(URL, headers=me.headers, json={"types": [row]})
    assert answer.status_code == 200, answer.text


async def mails_of(database: Database, user_id: uuid.UUID) -> list[tuple[str, str]]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(select(Delivery).where(Delivery.user_id == user_id))
        return [(row.kind, row.status) for row in rows]


async def test_a_type_switched_off_in_app_is_not_stored_but_security_alerts_are(
    prefs: Inbox, redis: Redis, database: Database
) -> None:
    me = prefs.caller()
    await switch_off(prefs, me, "document_indexed", in_app=False)

    document_id, version_id = await upload(prefs, me)
    envelope = await prefs.publish(
        indexed(document_id, version_id), producer="search", org_id=prefs.org_id
    )
    await prefs.deliver()
    await redeliver(redis, prefs, envelope)
    await prefs.deliver()
    assert await prefs.items(me) == []

    # Another type still arrives, and so does a security alert, in-app and by mail.
    other_document, other_version = await upload(prefs, me)
    failed = DocumentIndexFailed(
        document_id=other_document,
        version_id=other_version,
        collection_id=uuid.uuid4(),
        code=IndexFailureCode.corrupt_file,
        reason="The file is damaged.",
    )
    await prefs.publish(failed, producer="search", org_id=prefs.org_id)
    changed = PasswordChanged(user_id=me.user_id, email="me@example.com", sessions_revoked=0)
    await prefs.publish(changed, producer="identity", subject_id=me.user_id)
    await prefs.deliver()
    assert [item["type"] for item in await prefs.items(me)] == [
        "security_alert",
        "document_index_failed",
    ]
    # Mail is another channel: the documents' mail is planned too, and recorded as not sent
    # because identity had named no address for this user before the password change.
    assert sorted(await mails_of(database, me.user_id)) == [
        ("document_failed", "skipped"),
        ("document_indexed", "skipped"),
        ("security_alert", "queued"),
    ]


async def test_switched_on_again_the_type_arrives_again(prefs: Inbox) -> None:
    me = prefs.caller()
    await switch_off(prefs, me, "document_indexed", in_app=False)
    await switch_off(prefs, me, "document_indexed")  # all on
    document_id, version_id = await upload(prefs, me)
    await prefs.publish(indexed(document_id, version_id), producer="search", org_id=prefs.org_id)
    await prefs.deliver()
    assert [item["type"] for item in await prefs.items(me)] == ["document_indexed"]


async def test_the_settings_and_the_address_are_erased_with_the_rest(
    prefs: Inbox, database: Database
) -> None:
    me = prefs.caller()
    await switch_off(prefs, me, "saved_search_matched", email=False)
    changed = PasswordChanged(user_id=me.user_id, email="me@example.com", sessions_revoked=0)
    await prefs.publish(changed, producer="identity", subject_id=me.user_id)
    await prefs.deliver()
    async with database.sessionmaker() as session:
        assert await session.get(RecipientSettings, me.user_id) is not None
        assert (await session.get(EmailAddress, me.user_id)) is not None

    await prefs.publish(
        ErasureRequested(request_id=uuid.uuid4(), user_id=me.user_id), producer="audit"
    )
    await prefs.deliver()
    async with database.sessionmaker() as session:
        assert await session.get(RecipientSettings, me.user_id) is None
        assert await session.get(EmailAddress, me.user_id) is None
        kept = await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == me.user_id)
        )
        assert list(kept) == []
