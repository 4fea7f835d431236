"""No event lost, none applied twice, when a relay or a consumer process is SIGKILLed mid-batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from sqlalchemy import text

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.bus import stream_key
from sift.core.events.worker import ConsumerWorker
from sift.documents.models import OutboxEvent
from tests.core.events.conftest import (
    Effects,
    Spawn,
    consume_until,
    drain_outboxes,
    group_pending,
    publish_committed,
    stream_entries,
    unpublished,
    wait_until,
    with_events,
)
from tests.core.events.workload import SCRATCH_SCHEMA, effects_consumer, uploaded


def someone_waits_on_a_lock(database: Database, table: str) -> Callable[[], Awaitable[bool]]:
    """A condition: some backend is blocked on a lock while running a query on `table`."""

    async def condition() -> bool:
        async with database.engine.connect() as conn:
            query = text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND query ILIKE :pattern"
            )
            return bool(await conn.scalar(query, {"pattern": f"%{table}%"}))

    return condition


async def test_relay_killed_mid_batch_loses_nothing_and_nothing_applies_twice(
    database: Database, redis: Redis, settings: CoreSettings, effects: Effects, spawn: Spawn
) -> None:
    events = 3000
    settings = with_events(settings, relay_batch_size=500, relay_poll_seconds=0.05)
    stream = stream_key(settings)
    envelopes = await publish_committed(
        database, OutboxEvent, [uploaded(i) for i in range(events)], producer="documents"
    )

    async def stream_length() -> int:
        return int(await redis.xlen(stream))

    # 1. Kill it exactly between XADD and COMMIT: a SHARE lock on the outbox lets the relay
    #    lock its rows (ROW SHARE) but blocks its UPDATE (ROW EXCLUSIVE) after the XADD.
    async with database.engine.connect() as blocker:
        await blocker.begin()
        await blocker.execute(text("LOCK TABLE documents.outbox IN SHARE MODE"))
        relay = spawn(settings, "relay", "--schemas", "documents")

        async def first_batch_on_stream() -> bool:
            return await stream_length() >= 500

        await wait_until(first_batch_on_stream)
        await wait_until(someone_waits_on_a_lock(database, "outbox"))
        relay.kill()
        assert relay.wait() == -9
        await blocker.rollback()
    assert await stream_length() == 500
    assert await unpublished(database, ["documents"]) == events  # so the batch goes again

    # 2. Run it again, with small batches, and kill it at whatever point it has reached.
    relay = spawn(with_events(settings, relay_batch_size=50), "relay", "--schemas", "documents")

    async def well_under_way() -> bool:
        return await stream_length() >= 1500

    await wait_until(well_under_way)
    relay.kill()
    assert relay.wait() == -9
    left = await unpublished(database, ["documents"])
    assert 0 < left < events, "killed mid-run"

    # 3. Run it to the end.
    await drain_outboxes(database, redis, settings, ["documents"])
    entries = await stream_entries(redis, settings)
    ids = [entry.fields["id"] for entry in entries]
    expected = [str(envelope.id) for envelope in envelopes]
    assert set(ids) == set(expected)  # nothing lost
    assert list(dict.fromkeys(ids)) == expected  # first appearances in commit order
    duplicates = len(ids) - events
    assert duplicates >= 500  # at least the batch whose commit was killed

    worker = ConsumerWorker(
        effects_consumer("after-relay-crash"),
        database=database,
        redis=redis,
        settings=settings,
        name="c",
        batch_size=200,
    )

    async def all_applied() -> bool:
        return await effects.count() >= events

    # A deadline, not a speed check: a loaded 2-core CI machine applies ~100 events/s.
    stats = await consume_until(worker, all_applied, timeout=180)
    assert (stats.applied, stats.duplicates) == (events, duplicates)
    assert await effects.count() == events
    assert await effects.distinct_events() == events


async def test_consumer_killed_mid_batch_every_event_is_applied_exactly_once(
    database: Database, redis: Redis, settings: CoreSettings, effects: Effects, spawn: Spawn
) -> None:
    events = 2000
    group = "kill-test"
    settings = with_events(settings, claim_idle_ms=300, relay_batch_size=500)
    envelopes = await publish_committed(
        database, OutboxEvent, [uploaded(i) for i in range(events)], producer="documents"
    )
    await drain_outboxes(database, redis, settings, ["documents"])
    doomed = spawn(settings, "consume", "--group", group, "--name", "doomed")

    async def under_way() -> bool:
        return await effects.count() >= 300

    await wait_until(under_way)
    # Freeze it inside a handler (its effect INSERT waits on this lock), then kill it there:
    # it holds a batch of delivered, partly committed, unacknowledged messages.
    async with database.engine.connect() as blocker:
        await blocker.begin()
        await blocker.execute(text(f"LOCK TABLE {SCRATCH_SCHEMA}.effects IN SHARE MODE"))
        await wait_until(someone_waits_on_a_lock(database, "effects"))
        held = (await group_pending(redis, settings, group)).get("doomed", 0)
        doomed.kill()
        assert doomed.wait() == -9
        await blocker.rollback()
    applied_before = await effects.count()
    assert held > 0
    assert 0 < applied_before < events

    survivor = ConsumerWorker(
        effects_consumer(group), database=database, redis=redis, settings=settings, name="survivor"
    )

    async def all_applied_and_acked() -> bool:
        return await effects.count() >= events and await group_pending(redis, settings, group) == {}

    stats = await consume_until(survivor, all_applied_and_acked, timeout=180)
    assert stats.claimed >= held  # the dead member's messages were taken over
    assert stats.applied == events - applied_before
    assert await effects.count() == events
    assert await effects.distinct_events() == events
    on_stream = {entry.fields["id"] for entry in await stream_entries(redis, settings)}
    assert on_stream == {str(envelope.id) for envelope in envelopes}
