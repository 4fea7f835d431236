"""A committed world for the privacy flows: every service app on the real database, each
service's consumer group pumped by hand (relay, then one batch per group, until quiet), and
real indexing. People and what they do are `people.py`'s and `busy.py`'s.

Everything commits (the consumers have their own connections), so every table of every
service schema is emptied before and after.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import select, text

from sift import SERVICES
from sift.core.config import CoreSettings, StorageSettings
from sift.core.db import Database
from sift.core.events.consumer import Consumer
from sift.core.events.runner import consume_once
from sift.core.privacy import runtime
from sift.core.tasks import celery_app, configure_celery, task_settings
from sift.notifications.inapp import fanout
from sift.runtime.consumers import discover_consumers
from sift.search.config import IngestSettings
from sift.search.ingestion.tasks import run_index
from sift.search.models import DocumentIndex
from tests.core.events.conftest import drain_outboxes
from tests.every_service import service_apps

# Kept by a trigger on search.chunks, which empties them when chunks is truncated.
TRIGGER_KEPT = ("postings", "collection_term_stats", "collection_lexemes")


@asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def empty_every_schema(database: Database) -> None:
    async with database.engine.begin() as conn:
        rows = await conn.execute(
            text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema = ANY(:schemas) AND table_type = 'BASE TABLE' "
                "AND table_name <> ALL(:kept)"
            ),
            {"schemas": list(SERVICES), "kept": ["alembic_version", *TRIGGER_KEPT]},
        )
        tables = ", ".join(f'"{schema}"."{name}"' for schema, name in rows.all())
        # The audit log's trigger refuses TRUNCATE; between tests (as superuser) it may.
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text(f"TRUNCATE {tables} CASCADE"))


@dataclass
class World:
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    settings: CoreSettings
    database: Database
    redis: Redis
    storage_root: Path
    executor: ThreadPoolExecutor
    ingest_settings: IngestSettings
    consumers: list[Consumer] = field(default_factory=list)

    async def pump(self, rounds: int = 30) -> None:
        """Relay and consume until no service has anything left to say."""
        for _ in range(rounds):
            relayed = await drain_outboxes(self.database, self.redis, self.settings, SERVICES)
            applied = 0
            for consumer in self.consumers:
                stats = await consume_once(
                    consumer,
                    database=self.database,
                    redis=self.redis,
                    settings=self.settings,
                    name=f"test-{consumer.group}",
                )
                assert stats.failed == 0, f"{consumer.group} failed an event"
                applied += stats.applied
            await fanout.flush()
            if relayed == 0 and applied == 0:
                return
        raise AssertionError("the services never went quiet")

    async def step(self, *groups: str) -> None:
        """Relays, then lets only `groups` consume once each (the others are "down")."""
        for group in groups:
            await drain_outboxes(self.database, self.redis, self.settings, SERVICES)
            [consumer] = [c for c in self.consumers if c.group == group]
            stats = await consume_once(
                consumer,
                database=self.database,
                redis=self.redis,
                settings=self.settings,
                name=f"test-{group}",
            )
            assert stats.failed == 0, f"{group} failed an event"

    async def index_queued(self) -> int:
        """Indexes every queued version the way the ingest worker does."""
        async with self.database.read_sessionmaker() as session:
            queued = list(
                await session.scalars(
                    select(DocumentIndex.version_id).where(DocumentIndex.status == "queued")
                )
            )
        loop = asyncio.get_running_loop()
        for version_id in queued:
            # A version indexed in an earlier one's batch is skipped when its own task runs.
            status = await loop.run_in_executor(
                self.executor,
                lambda v=version_id: run_index(v, self.ingest_settings, core=self.settings),
            )
            assert status in ("indexed", "skipped"), status
        async with self.database.read_sessionmaker() as session:
            statuses = await session.scalars(
                select(DocumentIndex.status).where(DocumentIndex.version_id.in_(queued))
            )
            assert set(statuses) <= {"indexed"}
        return len(queued)

    async def settle(self) -> None:
        """Events delivered, uploads indexed, and what indexing announced delivered too."""
        await self.pump()
        if await self.index_queued():
            await self.pump()


@pytest.fixture
async def world(
    settings: CoreSettings,
    database: Database,
    redis: Redis,
    ingest_thread: ThreadPoolExecutor,
    ingest_settings: IngestSettings,
    clean_outboxes: None,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[World]:
    monkeypatch.setenv("SIFT_AUTH_REVOCATION_TIMEOUT_SECONDS", "15")
    # The session's storage, not the test's: the ingest thread's runtime keeps the storage
    # of its first use for the whole session (other tests' files there name other people).
    storage_root = settings.data_dir / "files"
    app_settings = settings.model_copy(update={"storage": StorageSettings(local_root=storage_root)})
    await empty_every_schema(database)
    runtime.configure(app_settings)
    fanout.use_settings(app_settings)
    # As `sift consume` does: tasks the handlers enqueue go to this test's Redis prefix.
    previous, producers = task_settings(), celery_app.amqp._producer_pool  # type: ignore[attr-defined]
    configure_celery(app_settings)
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]
    apps = service_apps(app_settings)
    consumers = [consumer for name in SERVICES for consumer in discover_consumers(name)]
    try:
        async with AsyncExitStack() as stack:
            clients = {
                name: await stack.enter_async_context(started(app)) for name, app in apps.items()
            }
            yield World(
                apps,
                clients,
                app_settings,
                database,
                redis,
                storage_root,
                ingest_thread,
                ingest_settings,
                consumers,
            )
    finally:
        await fanout.flush()
        await fanout.close_process_bus()
        fanout.use_settings(None)
        runtime.configure(None)
        configure_celery(previous)
        celery_app.amqp._producer_pool = producers  # type: ignore[attr-defined]
        await empty_every_schema(database)
