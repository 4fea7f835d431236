"""The relay: per-schema order on the stream, parallel replicas without duplicates, failures."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import update

from sift.audit.models import OutboxEvent as AuditOutbox
from sift.contracts.events import EventEnvelope
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.bus import stream_key
from sift.core.events.relay import OutboxRelay, relay_once, run_relay
from sift.core.events.tables import OutboxMixin, outbox_table
from sift.documents.models import OutboxEvent as DocumentsOutbox
from sift.identity.models import OutboxEvent as IdentityOutbox
from tests.core.events.conftest import (
    publish_committed,
    stream_entries,
    unpublished,
    wait_until,
    with_events,
)
from tests.core.events.workload import uploaded

SCHEMAS: dict[str, type[OutboxMixin]] = {
    "documents": DocumentsOutbox,
    "identity": IdentityOutbox,
    "audit": AuditOutbox,
}


async def test_parallel_relays_keep_each_schemas_order_and_publish_no_duplicates(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> None:
    per_schema = 400
    published: dict[str, list[str]] = {}
    for schema, model in SCHEMAS.items():
        envelopes = await publish_committed(
            database, model, [uploaded(i) for i in range(per_schema)], producer=schema
        )
        published[schema] = [str(envelope.id) for envelope in envelopes]
    names = list(SCHEMAS)
    # Three replicas, each starting with a different schema, so that they collide.
    relays = [
        OutboxRelay(database, redis, settings, schemas=names[i:] + names[:i], batch_size=50)
        for i in range(3)
    ]
    work_per_relay: list[int] = [0, 0, 0]

    async def replica(index: int) -> None:
        while True:
            batch = await relays[index].relay_once()
            work_per_relay[index] += batch
            if batch == 0:
                if await unpublished(database, names) == 0:
                    return
                await asyncio.sleep(0.002)

    await asyncio.gather(*(replica(i) for i in range(3)))

    entries = await stream_entries(redis, settings)
    assert len(entries) == per_schema * 3  # not one event twice
    assert sum(work_per_relay) == per_schema * 3
    assert sum(1 for work in work_per_relay if work) >= 2, "the replicas shared the work"
    on_stream: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        envelope = EventEnvelope.model_validate_json(entry.fields["envelope"])
        on_stream[envelope.producer].append(entry.fields["id"])
    assert on_stream == published  # in each schema's commit order


async def test_a_poll_names_only_the_schemas_with_unpublished_rows(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> None:
    relay = OutboxRelay(database, redis, settings, schemas=list(SCHEMAS))
    assert await relay.pending_schemas() == []
    await publish_committed(database, IdentityOutbox, [uploaded(1)], producer="identity")
    assert await relay.pending_schemas() == ["identity"]
    assert await relay.relay_once() == 1
    assert await relay.pending_schemas() == []


async def test_a_relay_that_cannot_reach_redis_leaves_the_rows_unpublished(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> None:
    [envelope] = await publish_committed(
        database, DocumentsOutbox, [uploaded(1)], producer="documents"
    )
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        with pytest.raises(RedisConnectionError):
            await relay_once(database, unreachable, settings, schemas=["documents"])
        assert await unpublished(database, ["documents"]) == 1

        stop = asyncio.Event()
        failing = OutboxRelay(
            database,
            unreachable,
            with_events(settings, relay_poll_seconds=0.01),
            schemas=["documents"],
        )
        task = asyncio.create_task(failing.run(stop))
        await asyncio.sleep(0.3)  # it fails, backs off and keeps going
        assert not task.done()
        stop.set()
        await asyncio.wait_for(task, timeout=5)
    finally:
        await unreachable.aclose()

    assert await relay_once(database, redis, settings, schemas=["documents"]) == 1
    assert [entry.fields["id"] for entry in await stream_entries(redis, settings)] == [
        str(envelope.id)
    ]


async def test_a_batch_published_twice_after_a_lost_commit_appears_twice(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> None:
    """At-least-once: what was on the stream but not marked goes again (consumers dedupe)."""
    envelopes = await publish_committed(
        database, DocumentsOutbox, [uploaded(i) for i in range(3)], producer="documents"
    )
    assert await relay_once(database, redis, settings, schemas=["documents"]) == 3
    async with database.engine.begin() as conn:  # as if the commit had never happened
        outbox = outbox_table("documents")
        await conn.execute(update(outbox).values(published_at=None))
    assert await relay_once(database, redis, settings, schemas=["documents"]) == 3
    ids = [entry.fields["id"] for entry in await stream_entries(redis, settings)]
    assert ids == [str(envelope.id) for envelope in envelopes] * 2


async def test_run_relay_publishes_until_stopped(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> None:
    settings = with_events(settings, relay_poll_seconds=0.02, stream_maxlen=1000)
    stop = asyncio.Event()
    task = asyncio.create_task(run_relay(settings, schemas=["documents", "identity"], stop=stop))
    await publish_committed(database, DocumentsOutbox, [uploaded(1)], producer="documents")
    await publish_committed(database, IdentityOutbox, [uploaded(2)], producer="identity")

    async def both_published() -> bool:
        return int(await redis.xlen(stream_key(settings))) == 2

    await wait_until(both_published, timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert await unpublished(database, ["documents", "identity"]) == 0


def test_schema_names_are_checked_before_any_sql(settings: CoreSettings) -> None:
    with pytest.raises(ValueError, match="schema"):
        outbox_table('documents"; DROP TABLE x; --')
    with pytest.raises(ValueError, match="at least one"):
        OutboxRelay(None, None, settings, schemas=[])  # type: ignore[arg-type]
