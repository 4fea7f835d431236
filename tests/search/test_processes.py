"""The ingestion path with real processes: event -> consumer -> Celery worker -> event.

A worker killed with SIGKILL in the middle of a task leaves its message unacknowledged; the
broker hands it to the next worker, whose attempt finishes and converges.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import DocumentUploaded
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.outbox import publish
from sift.search.models import Chunk, DocumentIndex, OutboxEvent
from tests.core.events.conftest import REPO_ROOT, drain_outboxes, process_env, wait_until
from tests.search import files
from tests.search.conftest import Ingest

pytestmark = pytest.mark.timeout(120)


class Processes:
    def __init__(self, settings: CoreSettings, logs: Path) -> None:
        self.env = process_env(settings)
        self.env.update(
            {
                "SIFT_DATA_DIR": str(settings.data_dir),
                # Short, so that a dead worker's message is handed out again within the test.
                "SIFT_TASKS_VISIBILITY_TIMEOUT": "2",
                "SIFT_LOG_LEVEL": "WARNING",
            }
        )
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: SIGKILL reaches the pool children too
            )
        self.started.append(process)
        return process

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(
            name, "sift.runtime", "worker", "--queues", "ingest", "--concurrency", "1"
        )

    def consumer(self) -> subprocess.Popen[bytes]:
        return self.start("consumer", "tests.search.processes")

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(process)


@pytest.fixture
def processes(settings: CoreSettings, tmp_path: Path) -> Iterator[Processes]:
    running = Processes(settings, tmp_path)
    yield running
    running.stop_all()


async def upload(ingest: Ingest, data: bytes, settings: CoreSettings) -> DocumentUploaded:
    """What the documents service does: store the bytes, commit `document.uploaded`."""
    document_id, version_id = uuid.uuid4(), uuid.uuid4()
    key = f"documents/{document_id}/{version_id}"
    stored = await ingest.storage.put(key, data)
    payload = DocumentUploaded(
        document_id=document_id,
        version_id=version_id,
        collection_id=uuid.uuid4(),
        filename="report.pdf",
        content_type="application/pdf",
        size_bytes=stored.size,
        sha256=stored.sha256,
        storage_key=key,
    )
    # Written to an outbox the relay reads (the search one stands in for the documents one).
    async with ingest.database.sessionmaker() as session, session.begin():
        await publish(session, OutboxEvent, payload, producer="documents", org_id=ingest.org_id)
    return payload


async def status(database: Database, version_id: uuid.UUID) -> tuple[str | None, int]:
    async with database.sessionmaker() as session:
        state = await session.get(DocumentIndex, version_id)
        return (state.status, state.attempts) if state else (None, 0)


async def relay_until(
    database: Database,
    redis: Redis,
    settings: CoreSettings,
    done: object,
    *,
    timeout: float,
) -> None:
    async def relayed_and_done() -> bool:
        await drain_outboxes(database, redis, settings, ["search"])
        return bool(await done())  # type: ignore[operator]

    await wait_until(relayed_and_done, timeout=timeout, interval=0.1)


async def test_upload_event_to_indexed_event_through_real_processes(
    ingest: Ingest, database: Database, redis: Redis, settings: CoreSettings, processes: Processes
) -> None:
    processes.consumer()
    processes.worker("worker")
    payload = await upload(ingest, files.pdf(files.pdf_pages(3)), settings)

    async def indexed() -> bool:
        return bool(await ingest.events("document.indexed"))

    await relay_until(database, redis, settings, indexed, timeout=90)
    [event] = await ingest.events("document.indexed")
    envelope = EventEnvelope.model_validate(event)
    assert envelope.data["version_id"] == str(payload.version_id)
    assert envelope.org_id == ingest.org_id
    assert envelope.data["page_count"] == 3
    assert await status(database, payload.version_id) == ("indexed", 1)


async def test_a_worker_killed_mid_task_is_replaced_and_the_task_finishes(
    ingest: Ingest, database: Database, redis: Redis, settings: CoreSettings, processes: Processes
) -> None:
    processes.consumer()
    first = processes.worker("worker-1")
    payload = await upload(ingest, files.pdf(files.pdf_pages(8)), settings)

    async def processing() -> bool:
        return (await status(database, payload.version_id))[0] == "processing"

    await relay_until(database, redis, settings, processing, timeout=60)
    await asyncio.sleep(2.5)  # mid-task; and the message is now older than the visibility timeout
    assert (await status(database, payload.version_id)) == ("processing", 1)
    processes.kill(first)

    processes.worker("worker-2")

    async def indexed() -> bool:
        return (await status(database, payload.version_id))[0] == "indexed"

    await relay_until(database, redis, settings, indexed, timeout=90)
    assert await status(database, payload.version_id) == ("indexed", 2)
    async with database.sessionmaker() as session:
        ordinals = list(
            (
                await session.execute(
                    select(Chunk.ordinal).where(Chunk.version_id == payload.version_id)
                )
            ).scalars()
        )
        total = await session.scalar(select(func.count()).select_from(Chunk))
    assert sorted(ordinals) == list(range(len(ordinals))) and total == len(ordinals) > 8
    assert len(await ingest.events("document.indexed")) == 1


async def test_an_ingest_worker_loads_its_models_as_it_starts_not_at_the_first_document(
    ingest: Ingest, database: Database, redis: Redis, settings: CoreSettings, processes: Processes
) -> None:
    processes.env["SIFT_LOG_LEVEL"] = "INFO"
    processes.consumer()
    processes.worker("ingest-worker")
    processes.start("other-worker", "sift.runtime", "worker", "--queues", "default")
    ingest_log = processes.logs / "ingest-worker.log"
    other_log = processes.logs / "other-worker.log"

    async def warmed() -> bool:
        return "ingest.warmed" in ingest_log.read_text(errors="replace")

    await wait_until(warmed, timeout=90, interval=0.2)  # before any document exists
    payload = await upload(ingest, files.pdf(files.pdf_pages(1)), settings)

    async def indexed() -> bool:
        return (await status(database, payload.version_id))[0] == "indexed"

    await relay_until(database, redis, settings, indexed, timeout=60)
    log = ingest_log.read_text(errors="replace")
    # One model in the pool process, loaded by the warm-up: the document found it there.
    assert log.count("ingest.embedder_loaded") == 1
    assert log.index("ingest.embedder_loaded") < log.index("ingest.warmed")
    # A worker for the other queues, up as long, never loads it.
    assert "ready" in other_log.read_text(errors="replace")
    assert "ingest.warmed" not in other_log.read_text(errors="replace")
    assert "ingest.embedder_loaded" not in other_log.read_text(errors="replace")
