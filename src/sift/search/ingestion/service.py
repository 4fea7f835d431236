"""Ingestion's state machine: queued -> processing -> indexed | failed (| superseded).

Every transition that others care about writes its event to the search outbox in the same
transaction. The service never commits: the consumer or task boundary does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import (
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentIndexStarted,
    IndexFailureCode,
)
from sift.search.events import events
from sift.search.ingestion.exceptions import IngestError
from sift.search.ingestion.pipeline import Processed, StepClock
from sift.search.ingestion.repository import chunk_id, ingestion_repository
from sift.search.models import DocumentIndex, IndexStatus

log = structlog.get_logger()

ACTIVE = (IndexStatus.queued, IndexStatus.processing)


@dataclass(frozen=True)
class Announcement:
    """A stored version that should be (re)indexed, as an event told it."""

    org_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    storage_key: str
    content_type: str
    filename: str | None
    announced_at: datetime


@dataclass(frozen=True)
class Job:
    """What a worker needs to index a version (read when its attempt starts)."""

    version_id: uuid.UUID
    document_id: uuid.UUID
    storage_key: str
    content_type: str
    attempt: int


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
        self, session: AsyncSession, version_id: uuid.UUID, *, max_attempts: int
    ) -> Job | None:
        """Claims the version for an attempt; None when there is nothing (left) to do."""
        state = await ingestion_repository.get(session, version_id, for_update=True)
        if state is None or state.status not in ACTIVE:
            return None  # deleted, or finished by an earlier delivery of the same task
        if state.attempts >= max_attempts:
            # Each earlier attempt ended without a result (worker killed by OOM or the hard
            # time limit, storage or database unreachable): stop retrying this file.
            error = IngestError(
                IndexFailureCode.internal_error,
                f"Indexing was attempted {state.attempts} times without finishing; the file"
                " was set aside.",
            )
            await self.fail(session, state, error, StepClock())
            return None
        state.status = IndexStatus.processing
        state.attempts += 1
        state.started_at = datetime.now(UTC)
        state.finished_at = None
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
        )

    async def finish(
        self, session: AsyncSession, version_id: uuid.UUID, processed: Processed, clock: StepClock
    ) -> DocumentIndex | None:
        """Writes the version's chunks, or marks it superseded; publishes document.indexed."""
        state = await ingestion_repository.get(session, version_id, for_update=True)
        if state is None:
            log.info("ingest.dropped_deleted", version_id=str(version_id))
            return None  # the document was deleted meanwhile
        superseded = await ingestion_repository.newer_indexed(
            session, state.document_id, state.announced_at
        )
        with clock.step("index"):
            if superseded:
                await ingestion_repository.delete_chunks(session, version_id)
            else:
                await ingestion_repository.replace_chunks(
                    session, version_id, self._rows(state, processed)
                )
                await ingestion_repository.supersede_older(
                    session, state.document_id, state.announced_at
                )
        analysis, extracted = processed.analysis, processed.extracted
        state.status = IndexStatus.superseded if superseded else IndexStatus.indexed
        state.error_code = state.error_message = None
        state.file_type = extracted.file_type.value
        state.language = analysis.language
        state.page_count = extracted.page_count
        state.char_count = len(extracted.text)
        state.chunk_count = 0 if superseded else len(processed.chunks)
        state.keywords = analysis.keywords
        state.embedding_model = processed.embedding_model
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
            ),
            org_id=state.org_id,
            subject_id=state.document_id,
        )
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
    ) -> DocumentIndex | None:
        """Marks the version failed (its chunks leave the index); publishes index_failed."""
        state = (
            state_or_id
            if isinstance(state_or_id, DocumentIndex)
            else await ingestion_repository.get(session, state_or_id, for_update=True)
        )
        if state is None:
            return None
        await ingestion_repository.delete_chunks(session, state.version_id)
        state.status = IndexStatus.failed
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
        log.warning(
            "document.index_failed",
            document_id=str(state.document_id),
            version_id=str(state.version_id),
            code=error.code.value,
        )
        return state

    async def delete_document(self, session: AsyncSession, document_id: uuid.UUID) -> int:
        versions = await ingestion_repository.delete_document(session, document_id)
        log.info("ingest.document_deleted", document_id=str(document_id), versions=versions)
        return versions

    @staticmethod
    def _rows(state: DocumentIndex, processed: Processed) -> list[dict[str, object]]:
        analysis = processed.analysis
        return [
            {
                "id": chunk_id(state.version_id, draft.ordinal),
                "org_id": state.org_id,
                "collection_id": state.collection_id,
                "document_id": state.document_id,
                "version_id": state.version_id,
                "ordinal": draft.ordinal,
                "page": draft.page,
                "page_end": draft.page_end,
                "start_char": draft.start,
                "end_char": draft.end,
                "heading": draft.heading[:500] if draft.heading else None,
                "text": draft.text,
                "token_count": draft.token_count,
                "language": analysis.language,
                "text_search_config": analysis.text_search_config,
                "embedding": vector,
                "embedding_model": processed.embedding_model,
            }
            for draft, vector in zip(processed.chunks, processed.vectors, strict=True)
        ]


ingestion = IngestionService()
