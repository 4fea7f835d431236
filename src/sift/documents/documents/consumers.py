"""The documents service's consumer group: document status from the search service's events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentIndexStarted,
)
from sift.core.events.consumer import Consumer
from sift.core.privacy import runtime
from sift.documents.documents.originals import drop_if_not_kept
from sift.documents.documents.status import document_status_service
from sift.documents.models import ProcessedEvent

consumer = Consumer("documents", ProcessedEvent)


@consumer.on(DocumentIndexStarted)
async def on_document_index_started(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentIndexStarted)
    await document_status_service.record_processing(
        session,
        document_id=payload.document_id,
        version_id=payload.version_id,
        occurred_at=envelope.occurred_at,
    )


@consumer.on(DocumentIndexed)
async def on_document_indexed(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentIndexed)
    if await document_status_service.record_indexed(
        session, payload, occurred_at=envelope.occurred_at
    ):
        # A collection that keeps only the redacted text: the file goes now.
        await drop_if_not_kept(session, payload, runtime.storage)


@consumer.on(DocumentIndexFailed)
async def on_document_index_failed(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentIndexFailed)
    await document_status_service.record_failed(session, payload, occurred_at=envelope.occurred_at)
