"""Ingest batches: a task indexes its own version together with other queued ones.

Small documents cost more in per-document overhead (a task, a fetch, sessions, a model call)
than in embedding. So the task of one version claims up to `batch_documents - 1` other
queued versions (oldest first, `SKIP LOCKED`), while the batch's files stay under
`batch_max_bytes`; fetches them together, prepares each (extract, nlp, chunk), embeds all
their chunks in one model call and writes every result in one transaction — each version
with its own status, steps and error; the batch's chunks in one INSERT, or, should that
write fail, each version again in a savepoint of its own (docs/adr/0009).

A claimed version records its batch's leader (`claimed_by`): its own task, delivered
meanwhile, leaves it alone (until the lease of a task that died runs out), and the leader's
redelivery takes it up again. Versions a batch could not finish (an outage, the time
limit) go back to the queue with a task of their own.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import IndexFailureCode
from sift.core.storage import ObjectNotFound, Storage
from sift.core.tasks import TransientError, enqueue_after_commit
from sift.search.access.repository import index_version_repository
from sift.search.config import IngestSettings
from sift.search.ingestion.embedding import Embedder
from sift.search.ingestion.exceptions import IngestError, timed_out, too_large
from sift.search.ingestion.extract import Deadline
from sift.search.ingestion.jobs import Job
from sift.search.ingestion.pipeline import Prepared, Processed, StepClock, embed, prepare
from sift.search.ingestion.repository import PendingWrites, ingestion_repository
from sift.search.ingestion.service import ingestion
from sift.search.models import IndexStatus
from sift.search.vectors import VectorIndex, VectorStoreUnavailable

if TYPE_CHECKING:
    from sift.core.db import Database

log = structlog.get_logger()

Requeue = Callable[[AsyncSession, uuid.UUID], None]
# A deadlock or a serialization failure: the whole batch is written again later.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


class BatchConflict(TransientError):
    """The batch's transaction lost a lock conflict: rolled back, retried by the task."""


def internal_error() -> IngestError:
    return IngestError(IndexFailureCode.internal_error, "An unexpected error stopped indexing.")


@dataclass
class Member:
    """One version of a batch: its job, its own clock and budget, and how it ended."""

    job: Job
    deadline: Deadline
    clock: StepClock = field(default_factory=StepClock)
    data: bytes | None = None
    prepared: Prepared | None = None
    outcome: Processed | IngestError | None = None  # None: not finished (released)


async def claim(
    session: AsyncSession,
    storage: Storage,
    version_id: uuid.UUID,
    settings: IngestSettings,
    *,
    lease: timedelta,
) -> list[Job]:
    """The task's own version first, then the batch-mates it claimed; empty: nothing to do."""
    own = await ingestion.start(
        session, version_id, max_attempts=settings.max_attempts, lease=lease
    )
    if own is None:
        return []
    jobs = [own]
    if settings.batch_documents < 2:
        return jobs
    candidates = await ingestion_repository.batch_candidates(
        session, version_id, limit=settings.batch_documents - 1
    )
    if not candidates:
        return jobs
    sizes = await asyncio.gather(
        *(storage.size(key) for key in [own.storage_key, *(c.storage_key for c in candidates)]),
        return_exceptions=True,
    )
    own_size = sizes[0]
    budget = settings.batch_max_bytes - own_size if isinstance(own_size, int) else -1
    for candidate, size in zip(candidates, sizes[1:], strict=True):
        held = candidate.status == IndexStatus.processing  # an earlier delivery's batch-mate
        if not held:
            if not isinstance(size, int) or size > budget:
                continue  # too big for this batch (or gone): its own task takes it
            budget -= size
        job = await ingestion.start(
            session,
            candidate.version_id,
            max_attempts=settings.max_attempts,
            leader=version_id,
            lease=lease,
        )
        if job is not None:
            jobs.append(job)
    return jobs


async def fetch_all(storage: Storage, members: list[Member], settings: IngestSettings) -> None:
    """Each member's bytes, or its failure; storage unreachable raises (transient)."""

    async def one(member: Member) -> None:
        with member.clock.step("fetch"):
            try:
                member.data = await _fetch(storage, member.job.storage_key, settings)
            except IngestError as error:
                member.outcome = error

    await asyncio.gather(*(one(member) for member in members))


async def _fetch(storage: Storage, key: str, settings: IngestSettings) -> bytes:
    parts: list[bytes] = []
    size = 0
    try:
        async for part in await storage.open(key):
            size += len(part)
            if size > settings.max_file_bytes:
                raise too_large(f"more than {settings.max_file_bytes:,} bytes")
            parts.append(part)
    except ObjectNotFound:
        raise IngestError(
            IndexFailureCode.extraction_failed, "The file is no longer in storage."
        ) from None
    return b"".join(parts)


def prepare_all(members: list[Member], settings: IngestSettings, embedder: Embedder) -> None:
    """Extract, nlp and chunk each member; a failure is that member's alone."""
    for member in members:
        if member.outcome is not None or member.data is None:
            continue
        try:
            member.prepared = prepare(
                member.data,
                declared_type=member.job.content_type,
                settings=settings,
                embedder=embedder,
                clock=member.clock,
                deadline=member.deadline,
                title=member.job.title,
                redact=member.job.redact_pii,
            )
        except IngestError as error:
            member.outcome = error
        except SoftTimeLimitExceeded:
            member.outcome = timed_out(member.deadline.seconds)
            raise
        except MemoryError:
            member.outcome = too_large("it needs more memory than a worker has")
        except Exception:
            log.exception("ingest.crashed", version_id=str(member.job.version_id))
            member.outcome = internal_error()
        finally:
            member.data = None  # the bytes are not needed any more


def embed_all(members: list[Member], settings: IngestSettings, embedder: Embedder) -> None:
    """All prepared members' chunks in one model call, each member's step its share of it.

    When the model fails on the batch, each member is embedded alone, so the failure stays
    with the text that caused it. EmbeddingUnavailable (the provider is down) propagates.
    """
    ready = [m for m in members if m.outcome is None and m.prepared is not None]
    if not ready:
        return
    texts = [[*m.prepared.embedding_texts()] for m in ready if m.prepared is not None]
    deadline = min((m.deadline for m in ready), key=lambda d: d.remaining)
    started_at, started = datetime.now(UTC), time.perf_counter()
    try:
        vectors = embed([t for group in texts for t in group], embedder, settings, deadline)
    except IngestError as error:
        if len(ready) == 1 or error.code == IndexFailureCode.timeout:
            for member in ready:
                member.clock.record("embed", started_at, _elapsed_ms(started) // len(ready))
                member.outcome = error
            return
        for member in ready:
            _embed_alone(member, settings, embedder)
        return
    elapsed_ms, total = _elapsed_ms(started), max(1, sum(len(group) for group in texts))
    offset = 0
    for member, group in zip(ready, texts, strict=True):
        assert member.prepared is not None
        share = len(group) / total if total else 1 / len(ready)
        member.clock.record("embed", started_at, round(elapsed_ms * share))
        member.outcome = Processed.of(
            member.prepared, vectors[offset : offset + len(group)], embedder
        )
        offset += len(group)


def _embed_alone(member: Member, settings: IngestSettings, embedder: Embedder) -> None:
    assert member.prepared is not None
    try:
        with member.clock.step("embed"):
            vectors = embed(member.prepared.embedding_texts(), embedder, settings, member.deadline)
    except IngestError as error:
        member.outcome = error
        return
    member.outcome = Processed.of(member.prepared, vectors, embedder)


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def finish_all(
    database: Database,
    members: list[Member],
    vectors: VectorIndex,
    requeue: Requeue,
) -> dict[uuid.UUID, str]:
    """Every member's result in one transaction; members without one go back to the queue.
    VectorStoreUnavailable rolls the whole batch back (transient).

    The results are first recorded together, all chunks written by one INSERT; if anything
    in that fails, it is rolled back and each member is recorded in a savepoint of its own,
    so that a failure stays with the member that caused it."""
    statuses: dict[uuid.UUID, str] = {}
    async with database.sessionmaker() as session, session.begin():
        # Rows that concurrent batches share are locked in one order (the organizations'
        # index versions, then the collections' statistics by the chunks' triggers), so
        # two batches never wait on each other in a cycle.
        for org_id in sorted({m.job.org_id for m in members if m.job.org_id is not None}):
            await index_version_repository.bump(session, org_id)
        ordered = sorted(members, key=lambda m: (str(m.job.collection_id), m.job.version_id))
        for member in ordered:
            if member.outcome is None:
                await release(session, [member.job.version_id], requeue)
                statuses[member.job.version_id] = "released"
        done = [m for m in ordered if m.outcome is not None]
        if await _record_together(session, done, vectors, statuses):
            return statuses
        for member in done:
            version_id = member.job.version_id
            assert member.outcome is not None
            try:
                async with session.begin_nested():
                    statuses[version_id] = await _record(session, member, member.outcome, vectors)
            except VectorStoreUnavailable:
                raise
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
                    raise BatchConflict(str(exc.orig)[:300]) from exc
                log.exception("ingest.write_failed", version_id=str(version_id))
                async with session.begin_nested():
                    statuses[version_id] = await _record(session, member, internal_error(), vectors)
            except Exception:
                log.exception("ingest.write_failed", version_id=str(version_id))
                async with session.begin_nested():
                    statuses[version_id] = await _record(session, member, internal_error(), vectors)
    return statuses


async def _record_together(
    session: AsyncSession,
    members: list[Member],
    vectors: VectorIndex,
    statuses: dict[uuid.UUID, str],
) -> bool:
    """The members' results in one savepoint, their chunks and pages written at the end
    (PendingWrites); False when something failed: rolled back, nothing recorded."""
    if len(members) < 2:
        return False
    marks = [len(m.clock.steps) for m in members]
    recorded: dict[uuid.UUID, str] = {}
    try:
        async with session.begin_nested():
            pending = PendingWrites()
            for member in members:
                assert member.outcome is not None
                recorded[member.job.version_id] = await _record(
                    session, member, member.outcome, vectors, pending
                )
            await pending.write(session)
    except VectorStoreUnavailable:
        raise
    except Exception as exc:
        if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in (
            RETRYABLE_SQLSTATES
        ):
            raise BatchConflict(str(exc.orig)[:300]) from exc
        log.warning("ingest.batch_write_failed", versions=len(members), exc_info=True)
        for member, mark in zip(members, marks, strict=True):
            del member.clock.steps[mark:]  # recorded again, one by one
        return False
    statuses.update(recorded)
    return True


async def _record(
    session: AsyncSession,
    member: Member,
    outcome: Processed | IngestError,
    vectors: VectorIndex,
    pending: PendingWrites | None = None,
) -> str:
    version_id = member.job.version_id
    # finish_all moved each organization's index version on already (once, in lock order).
    bump = member.job.org_id is None
    if isinstance(outcome, IngestError):
        state = await ingestion.fail(
            session, version_id, outcome, member.clock, vectors=vectors, bump=bump
        )
    else:
        state = await ingestion.finish(
            session, version_id, outcome, member.clock, vectors=vectors, bump=bump, pending=pending
        )
    return "deleted" if state is None else str(state.status)


async def release(session: AsyncSession, versions: list[uuid.UUID], requeue: Requeue) -> None:
    """Batch-mates this batch will not finish go back to the queue, each with its own task
    (its first task may have come and gone while the batch held it)."""
    for version_id in versions:
        state = await ingestion_repository.get(session, version_id, for_update=True)
        if state is None or state.status != IndexStatus.processing:
            continue
        state.status = IndexStatus.queued
        state.attempts = max(0, state.attempts - 1)  # this attempt did not happen
        state.claimed_by = None
        state.started_at = None
        requeue(session, version_id)
    if versions:
        log.info("ingest.batch_released", versions=len(versions))


def requeue_with(task: Any) -> Requeue:
    """A Requeue that sends `task(version_id)` once the transaction commits."""

    def requeue(session: AsyncSession, version_id: uuid.UUID) -> None:
        enqueue_after_commit(session, task, str(version_id))

    return requeue
