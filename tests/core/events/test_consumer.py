"""Consumer groups: once-only effects, unknown types, poison events, outages, pruning."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from sqlalchemy import func, select

from sift.contracts.events import EventEnvelope, UserSignedUp
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.bus import encode_entry, stream_key
from sift.core.events.consumer import Consumer
from sift.core.events.dead_letters import list_dead_letters
from sift.core.events.runner import consume_once, run_consumer
from sift.core.events.worker import ConsumerWorker
from sift.documents.models import OutboxEvent
from sift.notifications.models import ProcessedEvent
from tests.core.events.conftest import (
    Effects,
    consume_until,
    drain_outboxes,
    group_pending,
    publish_committed,
    wait_until,
)
from tests.core.events.workload import effects_consumer, uploaded


def worker_for(
    consumer: Consumer,
    database: Database,
    redis: Redis,
    settings: CoreSettings,
    name: str = "worker-1",
) -> ConsumerWorker:
    return ConsumerWorker(
        consumer, database=database, redis=redis, settings=settings, name=name, batch_size=50
    )


async def publish_and_relay(
    database: Database, redis: Redis, settings: CoreSettings, filenames: list[str]
) -> list[EventEnvelope]:
    envelopes = await publish_committed(
        database,
        OutboxEvent,
        [uploaded(i, filename=name) for i, name in enumerate(filenames)],
        producer="documents",
    )
    await drain_outboxes(database, redis, settings, ["documents"])
    return envelopes


async def processed_rows(database: Database, group: str) -> int:
    async with database.engine.connect() as conn:
        query = select(func.count()).where(ProcessedEvent.consumer == group)
        return int(await conn.scalar(query) or 0)


async def test_an_event_delivered_twice_is_applied_once(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings
    [envelope] = await publish_and_relay(database, redis, settings, ["twice.pdf"])
    entry = encode_entry(
        event_id=str(envelope.id),
        event_type=envelope.type,
        envelope_json=envelope.model_dump_json(),
    )
    await redis.xadd(stream_key(settings), entry)  # what a relay crash before its commit does

    stats = await consume_once(
        effects_consumer("dedupe"), database=database, redis=redis, settings=settings, name="a"
    )

    assert (stats.applied, stats.duplicates) == (1, 1)
    assert await effects.count() == 1
    assert await processed_rows(database, "dedupe") == 1
    assert await group_pending(redis, settings, "dedupe") == {}


async def test_each_group_applies_every_event_once_for_itself(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings
    await publish_and_relay(database, redis, settings, [f"f{i}.pdf" for i in range(5)])
    for group in ("notifications", "audit-trail"):
        worker = worker_for(effects_consumer(group), database, redis, settings)
        assert (await worker.consume_once()).applied == 5
        assert (await worker.consume_once()).received == 0
    assert await effects.count() == 10
    assert await processed_rows(database, "notifications") == 5


async def test_unknown_and_unhandled_types_are_acked_and_malformed_ones_dead_lettered(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings
    stream = stream_key(settings)
    unknown = EventEnvelope(type="billing.invoice_paid", version=1, producer="billing")
    unhandled = EventEnvelope.wrap(
        UserSignedUp(user_id=uuid.uuid4(), method="password", created_organization=True),
        producer="identity",
    )
    for envelope in (unknown, unhandled):
        await redis.xadd(
            stream,
            encode_entry(
                event_id=str(envelope.id),
                event_type=envelope.type,
                envelope_json=envelope.model_dump_json(),
            ),
        )
    await redis.xadd(
        stream, encode_entry(event_id="x", event_type="document.uploaded", envelope_json="{oops")
    )

    stats = await consume_once(
        effects_consumer("picky"), database=database, redis=redis, settings=settings, name="a"
    )

    assert (stats.ignored, stats.dead_lettered, stats.applied) == (2, 1, 0)
    [letter] = await list_dead_letters(redis, settings)
    assert letter.error.startswith("malformed envelope")
    assert await group_pending(redis, settings, "picky") == {}
    assert await processed_rows(database, "picky") == 0


async def test_a_poison_event_is_dead_lettered_after_max_attempts_and_the_rest_flows(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings  # max_attempts=3, claim_idle_ms=100
    group = "poison-test"
    envelopes = await publish_and_relay(
        database, redis, settings, ["a-before.pdf", "poison.pdf", "c-after.pdf"]
    )
    consumer = effects_consumer(group, poison=lambda p: p.filename.startswith("poison"))
    worker = worker_for(consumer, database, redis, settings)

    first = await worker.consume_once()
    assert (first.applied, first.failed) == (2, 1)  # the events after the poison went on
    assert await effects.filenames() == ["a-before.pdf", "c-after.pdf"]

    async def dead_lettered() -> bool:
        return bool(await list_dead_letters(redis, settings))

    stats = await consume_until(worker, dead_lettered, timeout=10)
    assert (stats.failed, stats.dead_lettered, stats.applied) == (2, 1, 0)
    [letter] = await list_dead_letters(redis, settings)
    assert letter.event_id == str(envelopes[1].id)
    assert (letter.group, letter.consumer, letter.attempts) == (group, "worker-1", 3)
    assert "Poisoned: poisoned: cannot apply poison.pdf" in letter.error
    assert EventEnvelope.model_validate_json(letter.envelope) == envelopes[1]
    assert await group_pending(redis, settings, group) == {}
    dead = REGISTRY.get_sample_value(
        "sift_events_dead_lettered_total", {"group": group, "type": "document.uploaded"}
    )
    assert dead == 1.0

    await publish_and_relay(database, redis, settings, ["d-later.pdf"])
    assert (await worker.consume_once()).applied == 1
    assert await effects.filenames() == ["a-before.pdf", "c-after.pdf", "d-later.pdf"]


async def test_an_event_whose_consumers_keep_dying_is_dead_lettered_without_running(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings
    group = "crash-loop"
    [envelope] = await publish_and_relay(database, redis, settings, ["kills-the-process.pdf"])
    stream = stream_key(settings)
    worker = worker_for(effects_consumer(group), database, redis, settings)
    await worker.ensure_group()
    await redis.xreadgroup(group, "ghost", {stream: ">"})  # delivered 1x, then the ghost "dies"
    await redis.xreadgroup(group, "ghost", {stream: "0"})  # ...and twice more
    await redis.xreadgroup(group, "ghost", {stream: "0"})
    await asyncio.sleep(settings.events.claim_idle_ms / 1000 + 0.05)

    stats = await worker.consume_once()

    assert (stats.claimed, stats.dead_lettered, stats.applied) == (1, 1, 0)
    [letter] = await list_dead_letters(redis, settings)
    assert (letter.event_id, letter.attempts) == (str(envelope.id), 4)
    assert "delivered 4 times" in letter.error
    assert await effects.count() == 0


async def test_a_database_outage_spends_no_delivery_attempt(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings
    group = "outage"
    await publish_and_relay(database, redis, settings, ["during-outage.pdf"])
    down = Database("postgresql+asyncpg://postgres@127.0.0.1:1/sift", pool_size=1)
    stop = asyncio.Event()
    worker = ConsumerWorker(
        effects_consumer(group), database=down, redis=redis, settings=settings, name="w"
    )
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.sleep(0.6)  # several claim cycles' worth of time
        assert not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        await down.dispose()
    pending = await redis.xpending_range(stream_key(settings), group, "-", "+", 10)
    assert [int(message["times_delivered"]) for message in pending] == [1]
    assert await list_dead_letters(redis, settings) == []

    healthy = worker_for(effects_consumer(group), database, redis, settings)

    async def applied() -> bool:
        return await effects.count() == 1

    stats = await consume_until(healthy, applied, timeout=10)
    assert (stats.claimed, stats.applied) == (1, 1)


async def test_run_consumer_applies_events_until_stopped(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_consumer(fast_settings, effects_consumer("runner"), stop=stop, name="r")
    )
    await publish_and_relay(database, redis, fast_settings, ["a.pdf", "b.pdf"])

    async def both_applied() -> bool:
        return await effects.count() == 2

    await wait_until(both_applied, timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert await group_pending(redis, fast_settings, "runner") == {}


async def test_idle_members_without_pending_messages_are_pruned(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings
    stream = stream_key(settings)
    await publish_and_relay(database, redis, settings, ["held.pdf"])
    worker = worker_for(effects_consumer("prune"), database, redis, settings, name="me")
    await worker.ensure_group()
    await redis.xreadgroup("prune", "holder", {stream: ">"})  # holds the only message
    await redis.xgroup_createconsumer(stream, "prune", "idle")  # holds nothing
    await asyncio.sleep(0.05)

    assert await worker.prune_consumers(idle_ms=10) == ["idle"]
    consumers = await redis.xinfo_consumers(stream, "prune")
    assert sorted(c["name"].decode() for c in consumers) == ["holder"]


def test_consumer_definitions_are_validated() -> None:
    with pytest.raises(ValueError, match="group name"):
        Consumer("Not A Group", ProcessedEvent)
    consumer = Consumer("valid.group", ProcessedEvent)

    async def handler(session: object, envelope: EventEnvelope) -> None:
        return None

    consumer.add_handler("document.uploaded", handler)
    with pytest.raises(ValueError, match="already handles"):
        consumer.add_handler("document.uploaded", handler)
    assert consumer.event_types == ["document.uploaded"]
