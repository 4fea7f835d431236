"""Ingestion's event handlers on the search consumer group (each idempotent)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    DocumentDeleted,
    DocumentReindexRequested,
    DocumentUploaded,
    DocumentVersionCreated,
)
from sift.core.tasks import enqueue_after_commit
from sift.search.access.consumers import forget_document, project_document_event
from sift.search.events import consumer
from sift.search.ingestion.documents import indexed_documents
from sift.search.ingestion.jobs import Announcement
from sift.search.ingestion.service import ingestion
from sift.search.ingestion.tasks import index_version


class MissingOrganization(ValueError):
    """A document event without `org_id`: its chunks could never be access-checked."""


async def _queue(
    session: AsyncSession,
    envelope: EventEnvelope,
    payload: DocumentUploaded | DocumentVersionCreated | DocumentReindexRequested,
) -> None:
    if envelope.org_id is None:
        raise MissingOrganization(f"{envelope.type} {envelope.id} has no org_id")
    await ingestion.queue(
        session,
        Announcement(
            org_id=envelope.org_id,
            document_id=payload.document_id,
            version_id=payload.version_id,
            collection_id=payload.collection_id,
            storage_key=payload.storage_key,
            content_type=payload.content_type,
            filename=payload.filename,
            announced_at=envelope.occurred_at,
        ),
    )
    enqueue_after_commit(session, index_version, str(payload.version_id))


@consumer.on(DocumentUploaded)
async def on_document_uploaded(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentUploaded)
    await _queue(session, envelope, payload)
    await project_document_event(session, envelope, payload)


@consumer.on(DocumentVersionCreated)
async def on_version_created(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentVersionCreated)
    await _queue(session, envelope, payload)
    await project_document_event(session, envelope, payload)


@consumer.on(DocumentReindexRequested)
async def on_reindex_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await _queue(session, envelope, envelope.payload_as(DocumentReindexRequested))


@consumer.on(DocumentDeleted)
async def on_document_deleted(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentDeleted)
    await indexed_documents.delete_document(session, payload.document_id)
    await forget_document(session, envelope, payload)
