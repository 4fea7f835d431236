"""Ingestion's state machine: queued -> processing -> indexed | failed (| superseded).

Every transition that others care about writes its event to the search outbox in the same
transaction. The service never commits: the consumer or task boundary does.

An external vector index (Pinecone) is written inside that transaction, after the chunk
rows: if it cannot be reached the transaction rolls back (nothing half-indexed) and the
task is retried. Re-running converges: vectors are keyed by the stable chunk IDs.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import (
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentIndexStarted,
    IndexFailureCode,
)
from sift.search.access.repository import collection_language, index_version_repository
from sift.search.config import get_ingest_settings
from sift.search.events import events
from sift.search.ingestion.exceptions import IngestError
from sift.search.ingestion.jobs import Announcement, Job
from sift.search.ingestion.metrics import DOCUMENTS_INDEXED
from sift.search.ingestion.nlp import settle_language
from sift.search.ingestion.pages import text_pages
from sift.search.ingestion.pipeline import Processed, StepClock
from sift.search.ingestion.repository import PendingWrites, ingestion_repository, projected_title
from sift.search.ingestion.rows import chunk_rows, vector_records
from sift.search.models import DocumentIndex, IndexedDocument, IndexStatus
from sift.search.vectors import VectorIndex, default_vector_index

log = structlog.get_logger()

ACTIVE = (IndexStatus.queued, IndexStatus.processing)


class IngestionService:
    async def queue(self, session: AsyncSession, announcement: Announcement) -> None:
        await ingestion_repository.queue(
            session,
            {
                "version_id": announcement.version_id,
                "document_id": announcement.document_id,
                "org_id": announcement.org_id,
                "collection_id": announcement.collection_id,
                "storage_key": announcement.storage_key,
                "content_type": announcement.content_type,
                "filename": announcement.filename,
                "announced_at": announcement.announced_at,
                "queued_at": datetime.now(UTC),
            },
        )
        log.info(
            "ingest.queued",
            document_id=str(announcement.document_id),
            version_id=str(announcement.version_id),
        )

    async def start(
        self,
        session: AsyncSession,
        version_id: uuid.UUID,
        *,
        max_attempts: int,
        leader: uuid.UUID | None = None,
        lease: timedelta | None = None,
    ) -> Job | None:
        """Claims the version for an attempt (in `leader`'s batch, else its own); None when
        there is nothing (left) to do, or another task's batch holds it for `lease` yet."""
        state = await ingestion_repository.get(session, version_id, for_update=True)
        if state is None or state.status not in ACTIVE:
            return None  # deleted, or finished by an earlier delivery of the same task
        leader = leader or version_id
        if self._held_elsewhere(state, leader, lease):
            return None  # that batch's task finishes it, or its redelivery takes it up again
        if state.attempts >= max_attempts:
            # Each earlier attempt ended without a result (worker killed by OOM or the hard
            # time limit, storage, database or a provider unreachable): stop retrying.
            await self.fail(session, state, self._exhausted(state), StepClock())
            return None
        state.status = IndexStatus.processing
        state.claimed_by = leader
        state.attempts += 1
        state.started_at = datetime.now(UTC)
        state.finished_at = None
        title, redact = await ingestion_repository.job_context(session, state)
        await events.publish(
            session,
            DocumentIndexStarted(
                document_id=state.document_id,
                version_id=state.version_id,
                collection_id=state.collection_id,
                attempt=state.attempts,
            ),
            org_id=state.org_id,
            subject_id=state.document_id,
        )
        return Job(
            version_id=state.version_id,
            document_id=state.document_id,
            storage_key=state.storage_key,
            content_type=state.content_type,
            attempt=state.attempts,
            title=title,
            org_id=state.org_id,
            collection_id=state.collection_id,
            redact_pii=redact,
        )

    @staticmethod
    def _held_elsewhere(state: DocumentIndex, leader: uuid.UUID, lease: timedelta | None) -> bool:
        if state.status != IndexStatus.processing or state.claimed_by in (None, leader):
            return False
        started = state.started_at
        return lease is None or started is None or started > datetime.now(UTC) - lease

    async def note_transient(
        self, session: AsyncSession, version_id: uuid.UUID, error: IngestError
    ) -> None:
        """Remembers why an attempt will be retried, so that giving up later says why."""
        state = await ingestion_repository.get(session, version_id, for_update=True)
        if state is not None and state.status in ACTIVE:
            state.error_code = error.code.value
            state.error_message = error.message[:1000]

    @staticmethod
    def _exhausted(state: DocumentIndex) -> IngestError:
        attempts = f"Indexing was attempted {state.attempts} times without finishing"
        code = state.error_code
        if code is not None and code in IndexFailureCode.__members__ and state.error_message:
            return IngestError(IndexFailureCode(code), f"{attempts}: {state.error_message}")
        return IngestError(IndexFailureCode.internal_error, f"{attempts}; the file was set aside.")

    async def finish(
        self,
        session: AsyncSession,
        version_id: uuid.UUID,
        processed: Processed,
        clock: StepClock,
        *,
        vectors: VectorIndex | None = None,
        bump: bool = True,
        pending: PendingWrites | None = None,
    ) -> DocumentIndex | None:
        """Writes the version's chunks, or marks it superseded; publishes document.indexed.
        `bump`: False when the caller moved the org's index version on already (a batch);
        `pending`: the chunks and pages are left there for the caller to write (a batch).

        Raises VectorStoreUnavailable (transient) when the vector index cannot be written.
        """
        vectors = vectors or default_vector_index()
        state = await ingestion_repository.get(session, version_id, for_update=True)
        if state is None:
            log.info("ingest.dropped_deleted", version_id=str(version_id))
            return None  # the document was deleted meanwhile
        superseded = await ingestion_repository.newer_indexed(
            session, state.document_id, state.announced_at
        )
        # The projected document as it is now (one read): its title (a `document.updated`
        # may have changed it since the attempt started) and its uploader's language.
        document = await session.get(IndexedDocument, state.document_id)
        title = projected_title(document)
        # The language (and so the text search configuration) chosen now: the uploader's, the
        # detected one, else the collection's, else the organization's.
        forced = document.language if document is not None else None
        fallback = await collection_language(session, state.collection_id)
        processed = replace(
            processed,
            analysis=settle_language(
                processed.analysis,
                forced=forced,
                fallback=fallback,
                default=get_ingest_settings().default_language,
            ),
        )
        with clock.step("index"):
            if superseded:
                await ingestion_repository.delete_chunks(session, version_id)
                await vectors.delete_version(state.org_id, version_id)
            else:
                rows, pages = chunk_rows(state, processed, title), text_pages(processed.extracted)
                if pending is None:
                    await ingestion_repository.replace_chunks(session, version_id, rows)
                    await ingestion_repository.insert_pages(session, version_id, pages)
                else:
                    pending.add(version_id, rows, pages)
                older = await ingestion_repository.supersede_older(
                    session, state.document_id, state.announced_at, pending
                )
                for older_version in older:
                    await vectors.delete_version(state.org_id, older_version)
                # An earlier run of this version may have left more chunks than this one.
                await vectors.delete_version(state.org_id, version_id)
                await vectors.upsert(vector_records(state, document, rows, processed.vectors))
        analysis, extracted = processed.analysis, processed.extracted
        state.status = IndexStatus.superseded if superseded else IndexStatus.indexed
        DOCUMENTS_INDEXED.labels(state.status.value).inc()
        state.error_code = state.error_message = None
        state.file_type = extracted.file_type.value
        state.language = analysis.language
        state.page_count = extracted.page_count
        state.char_count = len(extracted.text)
        state.chunk_count = 0 if superseded else len(processed.chunks)
        state.keywords = analysis.keywords
        state.redactions = processed.redactions
        # Vectors made with a header from an older title are re-embedded (reembed.py).
        headers_current = title == processed.title or superseded
        state.embedding_model = processed.embedding_model if headers_current else None
        state.embedding_dimension = processed.embedding_dimension
        state.steps = [step.model_dump(mode="json") for step in clock.steps]
        state.finished_at = datetime.now(UTC)
        await events.publish(
            session,
            DocumentIndexed(
                document_id=state.document_id,
                version_id=state.version_id,
                collection_id=state.collection_id,
                chunk_count=state.chunk_count,
                page_count=state.page_count,
                language=state.language,
                embedding_model=processed.embedding_model,
                duration_ms=sum(step.duration_ms for step in clock.steps),
                steps=clock.steps,
                superseded=superseded,
                redactions=processed.redactions,
            ),
            org_id=state.org_id,
            subject_id=state.document_id,
        )
        if bump:
            await index_version_repository.bump(session, state.org_id)  # cached results go stale
        log.info(
            "document.indexed",
            document_id=str(state.document_id),
            version_id=str(version_id),
            chunks=state.chunk_count,
            superseded=superseded,
            steps_ms=clock.milliseconds(),
        )
        return state

    async def fail(
        self,
        session: AsyncSession,
        state_or_id: DocumentIndex | uuid.UUID,
        error: IngestError,
        clock: StepClock,
        *,
        vectors: VectorIndex | None = None,
        bump: bool = True,
    ) -> DocumentIndex | None:
        """Marks the version failed (its chunks leave the index); publishes index_failed.
        `bump`: as in `finish`."""
        state = (
            state_or_id
            if isinstance(state_or_id, DocumentIndex)
            else await ingestion_repository.get(session, state_or_id, for_update=True)
        )
        if state is None:
            return None
        await ingestion_repository.delete_chunks(session, state.version_id)
        try:
            await (vectors or default_vector_index()).delete_version(state.org_id, state.version_id)
        except Exception:
            # The failure is recorded regardless (the index may be why it failed); vectors
            # left behind match no chunk row, so retrieval drops them.
            log.warning("ingest.vector_cleanup_failed", version_id=str(state.version_id))
        state.status = IndexStatus.failed
        DOCUMENTS_INDEXED.labels(state.status.value).inc()
        state.error_code = error.code.value
        state.error_message = error.message[:1000]
        state.chunk_count = 0
        state.steps = [step.model_dump(mode="json") for step in clock.steps]
        state.finished_at = datetime.now(UTC)
        await events.publish(
            session,
            DocumentIndexFailed(
                document_id=state.document_id,
                version_id=state.version_id,
                collection_id=state.collection_id,
                code=error.code,
                reason=error.message[:1000],
                retryable=error.retryable,
                steps=clock.steps,
            ),
            org_id=state.org_id,
            subject_id=state.document_id,
        )
        if bump:
            await index_version_repository.bump(session, state.org_id)  # its chunks left the index
        log.warning(
            "document.index_failed",
            document_id=str(state.document_id),
            version_id=str(state.version_id),
            code=error.code.value,
        )
        return state


ingestion = IngestionService()
