"""Document status from the search service's indexing events (the documents consumer).

An event changes the status only when it is about the document's current version and not
older than its status: a late event about an earlier run or version changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import DocumentIndexed, DocumentIndexFailed, IndexStep
from sift.documents.documents.repository import document_repository
from sift.documents.models import Document, DocumentStatus

log = structlog.get_logger()

# Status events carry the producer's clock, `status_changed_at` ours: within this margin an
# event counts as news, past it as a leftover of an earlier run.
STATUS_CLOCK_SKEW = timedelta(seconds=60)


def mark_queued(document: Document) -> None:
    """Back to `uploaded`: results of earlier runs no longer describe the document."""
    document.status = DocumentStatus.uploaded
    document.status_changed_at = datetime.now(UTC)
    document.error_code = None
    document.error_message = None
    document.page_count = None
    document.chunk_count = None
    document.language = None
    document.steps = []


class DocumentStatusService:
    async def record_processing(
        self,
        session: AsyncSession,
        *,
        document_id: uuid.UUID,
        version_id: uuid.UUID,
        occurred_at: datetime,
    ) -> bool:
        document = await self._status_target(session, document_id, version_id, occurred_at)
        if document is None or document.status != DocumentStatus.uploaded:
            return False
        document.status = DocumentStatus.processing
        document.status_changed_at = max(occurred_at, document.status_changed_at)
        await session.flush()
        return True

    async def record_indexed(
        self, session: AsyncSession, payload: DocumentIndexed, *, occurred_at: datetime
    ) -> bool:
        document = await self._status_target(
            session, payload.document_id, payload.version_id, occurred_at
        )
        if document is None:
            return False
        document.status = DocumentStatus.indexed
        document.status_changed_at = max(occurred_at, document.status_changed_at)
        document.error_code = None
        document.error_message = None
        document.chunk_count = payload.chunk_count
        document.page_count = payload.page_count
        document.language = payload.language
        document.redactions = payload.redactions
        document.steps = _steps(payload.steps)
        await session.flush()
        return True

    async def record_failed(
        self, session: AsyncSession, payload: DocumentIndexFailed, *, occurred_at: datetime
    ) -> bool:
        document = await self._status_target(
            session, payload.document_id, payload.version_id, occurred_at
        )
        if document is None:
            return False
        document.status = DocumentStatus.failed
        document.status_changed_at = max(occurred_at, document.status_changed_at)
        document.error_code = str(payload.code)
        document.error_message = payload.reason
        document.steps = _steps(payload.steps)
        await session.flush()
        return True

    @staticmethod
    async def _status_target(
        session: AsyncSession,
        document_id: uuid.UUID,
        version_id: uuid.UUID,
        occurred_at: datetime,
    ) -> Document | None:
        """The document, if the event is about its current version and not older than its
        status (a late event about an earlier run or version changes nothing)."""
        document = await document_repository.get_live(session, document_id, for_update=True)
        if document is None or document.current_version_id != version_id:
            log.info("document.status_event_ignored", document_id=str(document_id))
            return None
        if occurred_at < document.status_changed_at - STATUS_CLOCK_SKEW:
            log.info("document.status_event_stale", document_id=str(document_id))
            return None
        return document


def _steps(steps: list[IndexStep]) -> list[dict[str, Any]]:
    return [step.model_dump(mode="json") for step in steps]


document_status_service = DocumentStatusService()
