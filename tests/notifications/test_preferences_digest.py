"""Digests, through the real consumer group, database and SMTP capture: low-priority types
are kept for the digest, the job makes one mail per period even when two scheduler replicas
run it at once, each item goes out exactly once, and quiet hours hold the digest until they
end."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sift.contracts.events.documents import DocumentIndexFailed, IndexFailureCode
from sift.contracts.events.identity import PasswordChanged
from sift.contracts.events.search import SavedSearchMatched
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.models import Delivery
from sift.notifications.delivery.service import delivery_service
from sift.notifications.delivery.tasks import run_delivery
from sift.notifications.models import Notification
from sift.notifications.preferences.digest import make_digests
from tests.notifications.conftest import Capture
from tests.notifications.inapp import (
    Caller,
    Inbox,
    empty_preferences_and_deliveries,
    inbox,
    signing_key,
)
from tests.notifications.test_inapp_events import indexed, upload

__all__ = ["inbox", "signing_key"]  # fixtures

URL = "/api/notifications/preferences"
TOMORROW_NINE = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=5)


@pytest.fixture
async def digests(inbox: Inbox, database: Database) -> AsyncIterator[Inbox]:
    await empty_preferences_and_deliveries(database)
    yield inbox
    await empty_preferences_and_deliveries(database)


async def subscribe(inbox: Inbox, me: Caller, **settings: object) -> None:
    """A daily digest (in UTC) and the address it goes to (kept from a security mail)."""
    body = {"digest": "daily", "quiet_hours": None, **settings}
    answer = await inbox.client.put(URL, headers=me.headers, json=body)
    assert answer.status_code == 200, answer.text
    changed = PasswordChanged(user_id=me.user_id, email="me@example.com", sessions_revoked=0)
    await inbox.publish(changed, producer="identity", subject_id=me.user_id)
    await inbox.deliver()


async def indexed_document(inbox: Inbox, me: Caller, title: str) -> None:
    document_id, version_id = await upload(inbox, me, title=title)
    await inbox.publish(indexed(document_id, version_id), producer="search", org_id=me.org_id)


async def digests_of(database: Database, user_id: uuid.UUID) -> list[Delivery]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.user_id == user_id, Delivery.kind == "digest")
        )
        return list(rows)


async def test_two_replicas_make_one_digest_with_each_item_once(
    digests: Inbox,
    database: Database,
    settings: CoreSettings,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    me = digests.caller()
    await subscribe(digests, me)
    await indexed_document(digests, me, "Q3 report")
    match = SavedSearchMatched(
        saved_search_id=uuid.uuid4(),
        user_id=me.user_id,
        document_id=uuid.uuid4(),
        collection_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        match_count=2,
    )
    await digests.publish(match, producer="search", org_id=me.org_id)
    await digests.deliver()
    # In-app they arrive as ever; the digest keeps its own copy.
    assert {item["type"] for item in await digests.items(me)} == {
        "document_indexed",
        "saved_search_matched",
        "security_alert",
    }

    # Not due before the next period, whoever runs the job.
    assert await make_digests(database, now=datetime.now(UTC), max_attempts=3) == 0

    replica = Database(settings.sqlalchemy_url, pool_size=2)
    try:
        made = await asyncio.gather(
            make_digests(database, now=TOMORROW_NINE, max_attempts=3),
            make_digests(replica, now=TOMORROW_NINE, max_attempts=3),
        )
    finally:
        await replica.dispose()
    assert sorted(made) == [0, 1]
    assert await make_digests(database, now=TOMORROW_NINE, max_attempts=3) == 0  # again
    [digest] = await digests_of(database, me.user_id)
    assert [item["title"] for item in digest.envelope["items"]] == [
        "Document ready",
        "New match for a saved search",
    ]

    recorded = await run_delivery(digest.id, settings, mail_settings(), database=database)
    assert recorded is not None and recorded.status == "sent"
    [mail] = [mail for mail in capture.store.latest(5) if "digest" in mail.subject]
    assert mail.to == ["me@example.com"]
    assert mail.subject == "Your daily Sift digest: 2 notifications"
    assert mail.text is not None and mail.text.count("Q3 report") == 1
    assert any("/api/notifications/unsubscribe?token=" in link for link in mail.links)

    # The next day's digest carries only what came since.
    await indexed_document(digests, me, "Q4 plan")
    await digests.deliver()
    day_after = TOMORROW_NINE + timedelta(days=1)
    assert await make_digests(database, now=day_after, max_attempts=3) == 1
    newest = max(await digests_of(database, me.user_id), key=lambda row: row.created_at)
    assert [item["body"] for item in newest.envelope["items"]] == [
        "“Q4 plan” is indexed and can be searched."
    ]
    async with database.sessionmaker() as session:
        kept = await session.scalars(
            select(Notification.digest_id).where(
                Notification.user_id == me.user_id, Notification.channel == "digest"
            )
        )
        taken = list(kept)
    assert len(taken) == 3 and None not in taken and len(set(taken)) == 2


async def test_without_a_digest_nothing_is_kept_and_failures_never_wait(
    digests: Inbox, database: Database
) -> None:
    me, other = digests.caller(), digests.caller()
    await subscribe(digests, me, digest="off")
    await indexed_document(digests, me, "Q3 report")
    await subscribe(digests, other)  # daily, but a failure is no low-priority news
    document_id, version_id = await upload(digests, other)
    failed = DocumentIndexFailed(
        document_id=document_id,
        version_id=version_id,
        collection_id=uuid.uuid4(),
        code=IndexFailureCode.corrupt_file,
        reason="The file is damaged.",
    )
    await digests.publish(failed, producer="search", org_id=other.org_id)
    await digests.deliver()
    assert "document_index_failed" in {item["type"] for item in await digests.items(other)}
    assert await make_digests(database, now=TOMORROW_NINE, max_attempts=3) == 0
    async with database.sessionmaker() as session:
        kept = await session.scalars(select(Notification).where(Notification.channel == "digest"))
        assert list(kept) == []


async def test_quiet_hours_hold_the_digest_until_they_end(
    digests: Inbox,
    database: Database,
    settings: CoreSettings,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    me = digests.caller()
    await subscribe(digests, me, quiet_hours={"start": "09:00", "end": "10:00", "time_zone": "UTC"})
    await indexed_document(digests, me, "Q3 report")
    await digests.deliver()

    assert await make_digests(database, now=TOMORROW_NINE, max_attempts=3) == 1
    [digest] = await digests_of(database, me.user_id)
    assert digest.status == "queued"
    assert digest.not_before == TOMORROW_NINE.replace(hour=10, minute=0, second=0, microsecond=0)
    # Its task, should one run early, sends nothing.
    config = mail_settings()
    assert await run_delivery(digest.id, settings, config, database=database) is None

    async with database.sessionmaker() as session, session.begin():
        assert await delivery_service.release_held(session, now=TOMORROW_NINE) == 0
    async with database.sessionmaker() as session, session.begin():
        later = digest.not_before + timedelta(minutes=1)
        assert await delivery_service.release_held(session, now=later) == 1
    async with database.sessionmaker() as session, session.begin():
        assert await delivery_service.release_held(session, now=later) == 0  # once
    # Released in the real present: quiet hours tomorrow are over for the test's clock.
    recorded = await run_delivery(digest.id, settings, config, database=database)
    assert recorded is not None and recorded.status == "sent"
    assert [m.subject for m in capture.store.latest(5) if "digest" in m.subject] == [
        "Your daily Sift digest: 1 notification"
    ]


async def test_a_digest_switched_off_drops_what_it_kept_and_on_again_starts_afresh(
    digests: Inbox, database: Database
) -> None:
    me = digests.caller()
    await subscribe(digests, me)
    await indexed_document(digests, me, "Q3 report")
    await digests.deliver()
    off = await digests.client.put(URL, headers=me.headers, json={"digest": "off"})
    assert off.status_code == 200
    on = await digests.client.put(URL, headers=me.headers, json={"digest": "weekly"})
    assert on.status_code == 200
    await indexed_document(digests, me, "Q4 plan")
    await digests.deliver()

    # Not this week's (switched on during it), next week's: only what came after.
    now = datetime.now(UTC)
    assert await make_digests(database, now=now + timedelta(minutes=1), max_attempts=3) == 0
    next_week = now + timedelta(days=7)
    assert await make_digests(database, now=next_week, max_attempts=3) == 1
    [digest] = await digests_of(database, me.user_id)
    assert digest.envelope["period"] == "weekly"
    assert [item["body"] for item in digest.envelope["items"]] == [
        "“Q4 plan” is indexed and can be searched."
    ]
