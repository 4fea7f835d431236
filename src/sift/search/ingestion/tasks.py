"""`search.ingest.index_version`: one attempt at indexing one stored document version.

Acks late: a worker that dies mid-task leaves the message to be redelivered, and the next
attempt starts over and converges (chunks are replaced, never added). The steps that touch
the database run on this process's event loop; the CPU steps run between them.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from dataclasses import dataclass

import structlog
from celery.exceptions import SoftTimeLimitExceeded

from sift.contracts.events.documents import IndexFailureCode
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.storage import ObjectNotFound, Storage, create_storage
from sift.core.tasks import TRANSIENT_ERRORS, celery_app, task_settings
from sift.search.config import IngestSettings, get_ingest_settings
from sift.search.ingestion.embedding import get_embedder
from sift.search.ingestion.exceptions import IngestError, timed_out, too_large
from sift.search.ingestion.extract import Deadline
from sift.search.ingestion.pipeline import Processed, StepClock, process
from sift.search.ingestion.service import Job, ingestion

log = structlog.get_logger()


@dataclass
class _Runtime:
    """A worker thread's event loop, engine and storage client, made on first use.

    Per process and thread: a forked pool child or another thread never shares a loop or
    connections with the one that made them.
    """

    pid: int
    runner: asyncio.Runner
    database: Database
    storage: Storage


_local = threading.local()


def runtime(settings: CoreSettings | None = None) -> _Runtime:
    current: _Runtime | None = getattr(_local, "runtime", None)
    if current is None or current.pid != os.getpid():
        settings = settings or task_settings()
        current = _Runtime(
            pid=os.getpid(),
            runner=asyncio.Runner(),
            database=Database(
                settings.sqlalchemy_url,
                pool_size=2,
                statement_timeout_ms=max(settings.db_statement_timeout_ms, 60_000),
            ),
            storage=create_storage(settings),
        )
        _local.runtime = current
    return current


def close_runtime() -> None:
    """Releases this thread's loop and connections (tests, benchmarks)."""
    current: _Runtime | None = getattr(_local, "runtime", None)
    if current is not None and current.pid == os.getpid():
        current.runner.run(current.database.dispose())
        current.runner.run(current.storage.aclose())
        current.runner.close()
    _local.runtime = None


@celery_app.task(name="search.ingest.index_version", acks_late=True, reject_on_worker_lost=True)
def index_version(version_id: str) -> str:
    """Index one version; returns its final status (or "skipped")."""
    return run_index(uuid.UUID(version_id), get_ingest_settings())


def run_index(
    version_id: uuid.UUID, settings: IngestSettings, *, core: CoreSettings | None = None
) -> str:
    """One attempt, synchronously: what the task runs (`core` defaults to the worker's)."""
    current = runtime(core)
    run = current.runner.run
    job = run(_start(current, version_id, settings))
    if job is None:
        return "skipped"
    clock = StepClock()
    deadline = Deadline(settings.time_budget_seconds)
    outcome: Processed | IngestError
    try:
        with clock.step("fetch"):
            data = run(_fetch(current.storage, job, settings))
        outcome = process(
            data,
            declared_type=job.content_type,
            settings=settings,
            embedder=get_embedder(settings),
            clock=clock,
            deadline=deadline,
        )
    except IngestError as error:
        outcome = error
    except SoftTimeLimitExceeded:
        outcome = timed_out(deadline.seconds)
    except MemoryError:
        outcome = too_large("it needs more memory than a worker has")
    except TRANSIENT_ERRORS:
        raise  # storage or database unreachable: Celery retries the task with backoff
    except Exception:
        log.exception("ingest.crashed", version_id=str(version_id))
        outcome = IngestError(
            IndexFailureCode.internal_error, "An unexpected error stopped indexing."
        )
    return run(_finish(current, version_id, outcome, clock))


async def _start(current: _Runtime, version_id: uuid.UUID, settings: IngestSettings) -> Job | None:
    async with current.database.sessionmaker() as session, session.begin():
        return await ingestion.start(session, version_id, max_attempts=settings.max_attempts)


async def _fetch(storage: Storage, job: Job, settings: IngestSettings) -> bytes:
    parts: list[bytes] = []
    size = 0
    try:
        async for part in await storage.open(job.storage_key):
            size += len(part)
            if size > settings.max_file_bytes:
                raise too_large(f"more than {settings.max_file_bytes:,} bytes")
            parts.append(part)
    except ObjectNotFound:
        raise IngestError(
            IndexFailureCode.extraction_failed, "The file is no longer in storage."
        ) from None
    return b"".join(parts)


async def _finish(
    current: _Runtime, version_id: uuid.UUID, outcome: Processed | IngestError, clock: StepClock
) -> str:
    async with current.database.sessionmaker() as session, session.begin():
        if isinstance(outcome, IngestError):
            state = await ingestion.fail(session, version_id, outcome, clock)
        else:
            state = await ingestion.finish(session, version_id, outcome, clock)
        return "deleted" if state is None else str(state.status)
