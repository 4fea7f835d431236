"""Fixtures of the search tests: ingestion settings, the embedding model (loaded once), state."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.storage import Storage, create_storage
from sift.search.config import IngestSettings
from sift.search.ingestion.embedding import Embedder, get_embedder
from sift.search.ingestion.jobs import Announcement
from sift.search.ingestion.service import ingestion
from sift.search.ingestion.tasks import close_runtime, run_index
from sift.search.models import OutboxEvent


@pytest.fixture(scope="session")
def ingest_settings() -> IngestSettings:
    return IngestSettings(time_budget_seconds=60)


@pytest.fixture(scope="session")
def embedder(ingest_settings: IngestSettings) -> Embedder:
    """The real all-MiniLM-L6-v2, loaded once for the whole session."""
    embedder = get_embedder(ingest_settings)
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture(scope="session")
def ingest_thread() -> Iterator[ThreadPoolExecutor]:
    """One thread that runs index attempts as a worker does (its own loop and engine)."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
    yield executor
    executor.submit(close_runtime).result()
    executor.shutdown()


async def _truncate(database: Database) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE search.text_pages, search.chunks, search.documents_index")
        )


@pytest.fixture
async def clean_index(database: Database, clean_outboxes: None) -> AsyncIterator[None]:
    """For tests whose work really commits: empty index tables before and after."""
    await _truncate(database)
    yield
    await _truncate(database)


@dataclass
class Ingest:
    """Stores files and announces versions the way the documents service does, then indexes
    them in a worker-like thread."""

    settings: CoreSettings
    ingest_settings: IngestSettings
    database: Database
    storage: Storage
    executor: ThreadPoolExecutor
    org_id: uuid.UUID

    async def announce(
        self,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        document_id: uuid.UUID | None = None,
        collection_id: uuid.UUID | None = None,
    ) -> Announcement:
        document_id = document_id or uuid.uuid4()
        version_id = uuid.uuid4()
        key = f"documents/{document_id}/{version_id}"
        await self.storage.put(key, data)
        announcement = Announcement(
            org_id=self.org_id,
            document_id=document_id,
            version_id=version_id,
            collection_id=collection_id or uuid.uuid4(),
            storage_key=key,
            content_type=content_type,
            filename="upload",
            announced_at=datetime.now(UTC),
        )
        async with self.database.sessionmaker() as session, session.begin():
            await ingestion.queue(session, announcement)
        return announcement

    async def announce_again(self, announcement: Announcement) -> None:
        """A re-index request for a stored version (retry, bulk re-index)."""
        async with self.database.sessionmaker() as session, session.begin():
            await ingestion.queue(session, announcement)

    async def run(self, version_id: uuid.UUID, settings: IngestSettings | None = None) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor,
            lambda: run_index(version_id, settings or self.ingest_settings, core=self.settings),
        )

    async def events(self, event_type: str) -> list[dict[str, object]]:
        async with self.database.sessionmaker() as session:
            rows = await session.execute(
                select(OutboxEvent.envelope)
                .where(OutboxEvent.type == event_type)
                .order_by(OutboxEvent.position)
            )
            return list(rows.scalars())


@pytest.fixture
async def ingest(
    base_settings: CoreSettings,
    ingest_settings: IngestSettings,
    database: Database,
    ingest_thread: ThreadPoolExecutor,
    embedder: Embedder,
    clean_index: None,
) -> AsyncIterator[Ingest]:
    storage = create_storage(base_settings)
    yield Ingest(base_settings, ingest_settings, database, storage, ingest_thread, uuid.uuid4())
    await storage.aclose()
