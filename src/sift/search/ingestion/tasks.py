"""`search.ingest.index_version`: one attempt at indexing one stored document version.

Acks late: a worker that dies mid-task leaves the message to be redelivered, and the next
attempt starts over and converges (chunks are replaced, never added). The steps that touch
the database run on this process's event loop; the CPU steps run between them.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from celery import signals
from celery.exceptions import SoftTimeLimitExceeded

from sift.contracts.events.documents import IndexFailureCode
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.storage import Storage, create_storage
from sift.core.tasks import TRANSIENT_ERRORS, celery_app, task_settings
from sift.core.tracing import run_in_current_context
from sift.search.config import (
    IngestSettings,
    SearchSettings,
    get_ingest_settings,
    get_search_settings,
)
from sift.search.ingestion import batch, reembed
from sift.search.ingestion.embedding import Embedder, EmbeddingUnavailable, get_embedder
from sift.search.ingestion.exceptions import IngestError, timed_out
from sift.search.ingestion.extract import Deadline
from sift.search.ingestion.jobs import Job
from sift.search.ingestion.service import ingestion
from sift.search.ingestion.warmup import warm_up_in_background
from sift.search.vectors import VectorIndex, VectorStoreUnavailable, create_vector_index

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
    vector_indexes: dict[tuple[object, ...], VectorIndex]

    def vectors(self, settings: SearchSettings) -> VectorIndex:
        """The vector index these settings name (one client per index and thread)."""
        key = (
            settings.vector_backend,
            settings.pinecone_index_name,
            settings.pinecone_index_host,
            settings.pinecone_controller_host,
        )
        if key not in self.vector_indexes:
            self.vector_indexes[key] = create_vector_index(settings)
        return self.vector_indexes[key]


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
            vector_indexes={},
        )
        _local.runtime = current
    return current


def close_runtime() -> None:
    """Releases this thread's loop and connections (tests, benchmarks)."""
    current: _Runtime | None = getattr(_local, "runtime", None)
    if current is not None and current.pid == os.getpid():
        current.runner.run(current.database.dispose())
        current.runner.run(current.storage.aclose())
        for index in current.vector_indexes.values():
            current.runner.run(index.aclose())
        current.runner.close()
    _local.runtime = None


INGEST_QUEUE = "ingest"
# Set in the worker's main process when it consumes the ingest queue; its pool processes,
# forked from it, see it and warm up (a worker for the other queues loads no model).
_consumes_ingest = threading.Event()


@signals.celeryd_after_setup.connect
def _note_ingest_worker(instance: Any, **_: Any) -> None:
    queues = instance.app.amqp.queues
    if INGEST_QUEUE in (queues.consume_from or queues):
        _consumes_ingest.set()


@signals.worker_process_init.connect
def _warm_up_pool_process(**_: Any) -> None:
    settings = get_ingest_settings()
    if _consumes_ingest.is_set() and settings.warm_up:
        warm_up_in_background(settings)


@celery_app.task(name="search.ingest.index_version", acks_late=True, reject_on_worker_lost=True)
def index_version(version_id: str) -> str:
    """Index one version; returns its final status (or "skipped")."""
    return run_index(uuid.UUID(version_id), get_ingest_settings())


def run_index(
    version_id: uuid.UUID,
    settings: IngestSettings,
    *,
    core: CoreSettings | None = None,
    search: SearchSettings | None = None,
) -> str:
    """One attempt, synchronously: what the task runs (`core` defaults to the worker's,
    `search` — the vector index — to the environment's). The version is indexed in a batch
    with other queued ones (batch.py); returns its own final status."""
    search = search or get_search_settings()
    # A configuration that cannot work raises here, before the version is claimed: the task
    # fails (dead letter) and the document stays queued rather than marked failed.
    embedder = get_embedder(settings, search)
    current = runtime(core)
    vectors = current.vectors(search)
    run = functools.partial(run_in_current_context, current.runner)  # the task's span
    jobs = run(_claim(current, version_id, settings))
    if not jobs:
        return "skipped"
    members = [batch.Member(job, Deadline(settings.time_budget_seconds)) for job in jobs]
    mates = [job.version_id for job in jobs[1:]]
    requeue = batch.requeue_with(index_version)
    try:
        run(batch.fetch_all(current.storage, members, settings))
        batch.prepare_all(members, settings, embedder)
        batch.embed_all(members, settings, embedder)
    except SoftTimeLimitExceeded:
        # The member at work has its timeout; the own version fails with one too, the
        # batch-mates not yet done go back to the queue.
        if members[0].outcome is None:
            members[0].outcome = timed_out(settings.time_budget_seconds)
    except EmbeddingUnavailable as exc:
        # The provider stayed overloaded or unreachable: retried later; once the attempts
        # are spent the version fails with this reason.
        reason = IngestError(
            IndexFailureCode.embedding_failed,
            f"The embedding provider could not be reached ({str(exc)[:300]}).",
        )
        run(_note_transient(current, version_id, reason, mates, requeue))
        raise
    except TRANSIENT_ERRORS:
        # Storage or database unreachable: Celery retries the task with backoff.
        run(_note_transient(current, version_id, None, mates, requeue))
        raise
    except Exception:
        log.exception("ingest.crashed", version_id=str(version_id))
        if members[0].outcome is None:
            members[0].outcome = batch.internal_error()  # batch-mates not done are released
    try:
        statuses = run(batch.finish_all(current.database, members, vectors, requeue))
    except VectorStoreUnavailable as exc:
        # Rolled back: no chunk of this attempt is visible. Celery retries with backoff; once
        # the attempts are spent the version fails with this reason.
        reason = IngestError(
            IndexFailureCode.index_unavailable,
            f"The vector index could not be written ({str(exc)[:300]}).",
        )
        run(_note_transient(current, version_id, reason, mates, requeue))
        raise
    except batch.BatchConflict:
        run(_note_transient(current, version_id, None, mates, requeue))
        raise  # rolled back as a whole; Celery retries with backoff
    if len(members) > 1:
        log.info("ingest.batch_indexed", version_id=str(version_id), documents=len(members))
    return statuses[version_id]


async def _claim(current: _Runtime, version_id: uuid.UUID, settings: IngestSettings) -> list[Job]:
    # A batch whose task died is taken up by its redelivery; past the hard time limit
    # (and then some), by its versions' own tasks.
    lease = timedelta(seconds=(celery_app.conf.task_time_limit or 360) + 60)
    async with current.database.sessionmaker() as session, session.begin():
        return await batch.claim(session, current.storage, version_id, settings, lease=lease)


async def _note_transient(
    current: _Runtime,
    version_id: uuid.UUID,
    error: IngestError | None,
    mates: list[uuid.UUID],
    requeue: batch.Requeue,
) -> None:
    """Why the own version will be retried; the batch-mates go back to the queue."""
    try:
        async with current.database.sessionmaker() as session, session.begin():
            if error is not None:
                await ingestion.note_transient(session, version_id, error)
            await batch.release(session, mates, requeue)
    except Exception:
        log.warning("ingest.note_failed", version_id=str(version_id))


# --- re-embedding after a model change (see reembed.py) ---


@celery_app.task(name="search.ingest.reembed_stale")
def reembed_stale() -> int:
    """Queues a batch of versions embedded by another model than the configured one."""
    return queue_stale_reembeds(get_ingest_settings())


@celery_app.task(name="search.ingest.reembed_version", acks_late=True, reject_on_worker_lost=True)
def reembed_version(version_id: str) -> str:
    return run_reembed(uuid.UUID(version_id), get_ingest_settings())


def queue_stale_reembeds(
    settings: IngestSettings,
    *,
    core: CoreSettings | None = None,
    search: SearchSettings | None = None,
) -> int:
    embedder = get_embedder(settings, search or get_search_settings())
    current = runtime(core)
    stale = _stale(current, embedder, settings.reembed_batch_versions)
    versions = run_in_current_context(current.runner, stale)
    for version_id in versions:
        reembed_version.delay(str(version_id))
    if versions:
        log.info("ingest.reembed_queued", versions=len(versions), model=embedder.name)
    return len(versions)


def run_reembed(
    version_id: uuid.UUID,
    settings: IngestSettings,
    *,
    core: CoreSettings | None = None,
    search: SearchSettings | None = None,
) -> str:
    """Re-embeds one version from its stored chunk texts: "reembedded", "current" (nothing
    to do), "changed" (re-indexed or deleted meanwhile) or "failed" (the model refused)."""
    search = search or get_search_settings()
    embedder = get_embedder(settings, search)
    current = runtime(core)
    run = functools.partial(run_in_current_context, current.runner)  # the task's span
    snapshot = run(_snapshot(current, version_id, embedder))
    if snapshot is None:
        return "current"
    try:
        vectors = reembed.embed(snapshot, embedder, settings.embedding_batch_size * 4)
    except (RuntimeError, ValueError):
        # The old vectors stay (full-text search still finds the version); logged for admins.
        log.exception("ingest.reembed_failed", version_id=str(version_id))
        return "failed"
    swapped = run(_swap(current, snapshot, vectors, embedder, current.vectors(search)))
    return "reembedded" if swapped else "changed"


async def _stale(current: _Runtime, embedder: Embedder, limit: int) -> list[uuid.UUID]:
    async with current.database.sessionmaker() as session:
        return await reembed.stale_versions(
            session, model=embedder.name, dimension=embedder.dimension, limit=limit
        )


async def _snapshot(
    current: _Runtime, version_id: uuid.UUID, embedder: Embedder
) -> reembed.Snapshot | None:
    async with current.database.sessionmaker() as session:
        return await reembed.snapshot(session, version_id, embedder)


async def _swap(
    current: _Runtime,
    snapshot: reembed.Snapshot,
    vectors: list[list[float]],
    embedder: Embedder,
    index: VectorIndex,
) -> bool:
    async with current.database.sessionmaker() as session, session.begin():
        return await reembed.swap(session, snapshot, vectors, embedder, index)
