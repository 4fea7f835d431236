"""Event fixtures: scratch effects table, publishing, relay and consumer drivers, processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select, text

from sift.contracts.events import EventEnvelope, EventPayload
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.bus import StreamEntry, decode_entries, stream_key
from sift.core.events.handling import ConsumeStats
from sift.core.events.outbox import publish
from sift.core.events.relay import relay_once
from sift.core.events.tables import OutboxMixin, outbox_table
from sift.core.events.worker import ConsumerWorker
from tests.core.events.workload import EFFECTS, SCRATCH_SCHEMA

REPO_ROOT = Path(__file__).resolve().parents[3]


def with_events(settings: CoreSettings, **changes: Any) -> CoreSettings:
    """`settings` with some `events` settings changed (short timeouts for tests)."""
    return settings.model_copy(update={"events": settings.events.model_copy(update=changes)})


@pytest.fixture
def fast_settings(settings: CoreSettings) -> CoreSettings:
    return with_events(
        settings, max_attempts=3, claim_idle_ms=100, relay_batch_size=100, relay_poll_seconds=0.05
    )


class Effects:
    """The scratch table where test handlers record every application of an event."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def count(self) -> int:
        async with self.database.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(EFFECTS)) or 0)

    async def distinct_events(self) -> int:
        async with self.database.engine.connect() as conn:
            query = select(func.count(EFFECTS.c.event_id.distinct()))
            return int(await conn.scalar(query) or 0)

    async def filenames(self) -> list[str]:
        async with self.database.engine.connect() as conn:
            rows = await conn.execute(select(EFFECTS.c.filename).order_by(EFFECTS.c.filename))
            return [row.filename for row in rows]


@pytest.fixture
async def effects(database: Database, clean_outboxes: None) -> AsyncIterator[Effects]:
    async with database.engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCRATCH_SCHEMA} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {SCRATCH_SCHEMA}"))
        await conn.execute(
            text(
                f"CREATE TABLE {SCRATCH_SCHEMA}.effects "
                "(event_id uuid NOT NULL, consumer_group text NOT NULL, filename text NOT NULL)"
            )
        )
    yield Effects(database)
    async with database.engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA {SCRATCH_SCHEMA} CASCADE"))


async def publish_committed(
    database: Database,
    outbox_model: type[OutboxMixin],
    payloads: Sequence[EventPayload],
    *,
    producer: str,
) -> list[EventEnvelope]:
    """Publish `payloads` in one committed transaction, in order."""
    async with database.sessionmaker() as session, session.begin():
        return [
            await publish(session, outbox_model, payload, producer=producer) for payload in payloads
        ]


async def unpublished(database: Database, schemas: Sequence[str]) -> int:
    total = 0
    async with database.engine.connect() as conn:
        for schema in schemas:
            outbox = outbox_table(schema)
            query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            total += int(await conn.scalar(query) or 0)
    return total


async def drain_outboxes(
    database: Database, redis: Redis, settings: CoreSettings, schemas: Sequence[str]
) -> int:
    """Run the relay until every committed event of `schemas` is on the stream."""
    published = 0
    while batch := await relay_once(database, redis, settings, schemas=schemas):
        published += batch
    return published


async def stream_entries(redis: Redis, settings: CoreSettings) -> list[StreamEntry]:
    return decode_entries(await redis.xrange(stream_key(settings), "-", "+"))


async def wait_until(
    condition: Callable[[], Awaitable[bool]], *, timeout: float = 15.0, interval: float = 0.005
) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


async def consume_until(
    worker: ConsumerWorker,
    done: Callable[[], Awaitable[bool]],
    *,
    timeout: float = 20.0,
) -> ConsumeStats:
    """Drive `worker` until `done()` holds and a pass finds nothing left to do."""
    total = ConsumeStats()
    deadline = time.monotonic() + timeout
    while True:
        stats = await worker.consume_once(block_ms=None)
        total.add(stats)
        if stats.received == 0:
            if await done():
                return total
            await asyncio.sleep(0.02)  # let pending messages get idle enough to be claimed
        if time.monotonic() > deadline:
            raise AssertionError(f"consumer did not finish within {timeout} s: {total}")


async def group_pending(redis: Redis, settings: CoreSettings, group: str) -> dict[str, int]:
    """Pending (delivered, unacknowledged) messages of `group`, per consumer."""
    summary: Any = await redis.xpending(stream_key(settings), group)
    return {
        (c["name"].decode() if isinstance(c["name"], bytes) else c["name"]): int(c["pending"])
        for c in summary["consumers"]
    }


def process_env(settings: CoreSettings) -> dict[str, str]:
    """The environment that makes a subprocess use this test's database, Redis and prefix."""
    env = dict(os.environ)
    env.update(
        {
            "SIFT_ENV": "test",
            "SIFT_DATABASE_URL": settings.sqlalchemy_url,
            "SIFT_REDIS_URL": settings.redis_url,
            "SIFT_REDIS_PREFIX": settings.redis_prefix,
            "SIFT_LOG_JSON": "false",
            "SIFT_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        }
    )
    for name, value in settings.events.model_dump().items():
        env[f"SIFT_EVENTS_{name.upper()}"] = str(value)
    return env


Spawn = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    """`spawn(settings, "relay", "--schemas", "documents")`: the workload in a real process."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(settings: CoreSettings, *args: str) -> subprocess.Popen[bytes]:
        log_path = tmp_path / f"process-{len(processes)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.core.events.workload", *args],
                cwd=REPO_ROOT,
                env=process_env(settings),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
