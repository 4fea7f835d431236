"""The notifications group applies a batch of events in one transaction: what that costs in
statements, and that no event of a batch tells anyone twice, whether the batch holds the
event twice, one of its events fails, or its member is killed midway."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.search import SavedSearchMatched
from sift.core.events.consumer import Consumer
from sift.core.events.runner import consume_once
from sift.core.events.worker import ConsumerWorker
from sift.notifications.delivery.models import Delivery
from sift.notifications.events import Channels
from sift.notifications.inapp import fanout
from sift.notifications.inapp.repository import IN_APP
from sift.notifications.inapp.schemas import NotificationType
from sift.notifications.inapp.service import notification_service
from sift.notifications.models import Notification, ProcessedEvent
from sift.notifications.prefetch import prefetch
from tests.core.events.conftest import (
    REPO_ROOT,
    consume_until,
    group_pending,
    process_env,
    wait_until,
    with_events,
)
from tests.core.events.test_process_kills import someone_waits_on_a_lock
from tests.notifications.inapp import Inbox, consumer, inbox, signing_key
from tests.notifications.test_inapp_events import redeliver

__all__ = ["inbox", "signing_key"]  # fixtures


def matched(user_id: uuid.UUID) -> SavedSearchMatched:
    return SavedSearchMatched(
        saved_search_id=uuid.uuid4(),
        user_id=user_id,
        document_id=uuid.uuid4(),
        collection_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        match_count=1,
    )


async def publish_matches(inbox: Inbox, count: int, users: int = 10) -> list[EventEnvelope]:
    people = [uuid.uuid4() for _ in range(users)]
    envelopes = [
        await inbox.publish(matched(people[i % users]), producer="search", org_id=inbox.org_id)
        for i in range(count)
    ]
    await inbox.relay()
    return envelopes


async def in_app_rows(inbox: Inbox) -> tuple[int, int]:
    """Rows of the in-app channel in the test's organization, and distinct (event, user)."""
    async with inbox.database.sessionmaker() as session:
        query = select(
            func.count(), func.count(func.distinct(Notification.event_id, Notification.user_id))
        ).where(Notification.channel == IN_APP, Notification.org_id == inbox.org_id)
        rows, distinct = (await session.execute(query)).one()
    return int(rows), int(distinct)


async def mail_rows(inbox: Inbox, envelopes: list[EventEnvelope]) -> tuple[int, int]:
    """E-mail deliveries of these events, and distinct events among them."""
    async with inbox.database.sessionmaker() as session:
        query = select(func.count(), func.count(func.distinct(Delivery.event_id))).where(
            Delivery.event_id.in_([envelope.id for envelope in envelopes]),
            Delivery.channel == "email",
        )
        rows, distinct = (await session.execute(query)).one()
    return int(rows), int(distinct)


@pytest.fixture
def statements(inbox: Inbox) -> Iterator[list[str]]:
    """Every statement the test's engine sends (the in-process consumer's included)."""
    seen: list[str] = []

    def record(conn: Connection, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    engine = inbox.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


async def consume(inbox: Inbox, name: str = "test-notifications", **events: int) -> None:
    await consume_once(
        consumer,
        database=inbox.database,
        redis=inbox.redis,
        settings=with_events(inbox.settings, **events) if events else inbox.settings,
        name=name,
    )
    await fanout.flush()


async def test_a_batch_costs_a_few_statements_whatever_its_size(
    inbox: Inbox, statements: list[str]
) -> None:
    events = 50
    envelopes = await publish_matches(inbox, events)
    statements.clear()

    await consume(inbox)

    assert await in_app_rows(inbox) == (events, events)
    assert await mail_rows(inbox, envelopes) == (events, events)
    # The processed events, the reads of the users and uploads named, the notifications
    # and the deliveries: one statement each for the batch (before: ~9 per event).
    assert len(statements) <= 10, statements


async def test_an_event_twice_in_one_batch_tells_its_user_once(inbox: Inbox) -> None:
    [first, second] = await publish_matches(inbox, 2)
    await redeliver(inbox.redis, inbox, first)  # a relay that published it again

    await consume(inbox)

    assert await in_app_rows(inbox) == (2, 2)
    assert await mail_rows(inbox, [first, second]) == (2, 2)


async def test_a_failing_event_rolls_its_batch_back_and_only_it_is_retried(
    inbox: Inbox,
) -> None:
    """The batch's rows wait for its commit (`store_pending`): none outlives the rollback, and
    the others are stored once each when the batch is applied event by event."""
    group = Channels(Consumer("test-batches", ProcessedEvent))
    group.consumer.add_before_batch(prefetch)
    group.consumer.add_before_commit(notification_service.store_pending)
    doomed: set[uuid.UUID] = set()

    @group.on(SavedSearchMatched, channel="in_app")
    async def tell(session: AsyncSession, envelope: EventEnvelope) -> None:
        payload = envelope.payload_as(SavedSearchMatched)
        await notification_service.notify(
            session,
            fanout.process_bus(),
            envelope,
            user_id=payload.user_id,
            org_id=envelope.org_id,
            type=NotificationType.saved_search_matched,
            title="Match",
            body="",
        )
        if envelope.id in doomed:
            raise RuntimeError("this one cannot be applied yet")

    envelopes = await publish_matches(inbox, 5)
    doomed.add(envelopes[2].id)
    retry_now = with_events(inbox.settings, claim_idle_ms=0)

    async def run() -> None:
        await consume_once(
            group.consumer,
            database=inbox.database,
            redis=inbox.redis,
            settings=retry_now,
            name="test-batches",
        )
        await fanout.flush()

    await run()
    assert await in_app_rows(inbox) == (4, 4)
    assert await group_pending(inbox.redis, inbox.settings, "test-batches") == {"test-batches": 1}
    doomed.clear()
    await run()  # claimed again, alone
    assert await in_app_rows(inbox) == (5, 5)
    assert await group_pending(inbox.redis, inbox.settings, "test-batches") == {}


async def test_a_member_killed_midway_through_a_batch_leaves_nothing_twice(
    inbox: Inbox, tmp_path: Path
) -> None:
    """A real `sift consume notifications`, frozen while it stores a batch's notifications
    (every handler of the batch has run, nothing is committed) and killed there."""
    envelopes = await publish_matches(inbox, 300, users=40)
    settings = with_events(inbox.settings, claim_idle_ms=300)
    with (tmp_path / "consumer.log").open("wb") as log:
        doomed = subprocess.Popen(
            [sys.executable, "-m", "sift.runtime", "consume", "notifications"],
            cwd=REPO_ROOT,
            env=process_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        async with inbox.database.engine.connect() as blocker:
            await blocker.begin()
            await blocker.execute(text("LOCK TABLE notifications.notifications IN SHARE MODE"))
            await wait_until(
                someone_waits_on_a_lock(inbox.database, "notifications.notifications"),
                timeout=120,
            )
            held = await group_pending(inbox.redis, inbox.settings, "notifications")
            doomed.kill()
            assert doomed.wait() == -9
            await blocker.rollback()
    finally:
        if doomed.poll() is None:
            doomed.kill()
    assert sum(held.values()) > 0  # it died holding a batch it had applied, not committed
    survivor = ConsumerWorker(
        consumer, database=inbox.database, redis=inbox.redis, settings=settings, name="survivor"
    )

    async def all_stored() -> bool:
        return (await in_app_rows(inbox))[0] >= len(envelopes) and not await group_pending(
            inbox.redis, inbox.settings, "notifications"
        )

    stats = await consume_until(survivor, all_stored, timeout=180)
    await fanout.flush()
    assert stats.claimed > 0  # the dead member's batch was taken over
    assert await in_app_rows(inbox) == (len(envelopes), len(envelopes))
    assert await mail_rows(inbox, envelopes) == (len(envelopes), len(envelopes))
