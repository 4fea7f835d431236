"""The access projection's event handlers on the search consumer group (each idempotent).

The document version events (`document.uploaded`, `version_created`, `deleted`) are
handled by ingestion's handlers, which call `project_document_event` /
`forget_document` below: a consumer group has one handler per event type.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionDeleted,
    CollectionMemberGranted,
    CollectionMemberRevoked,
    CollectionUpdated,
    CollectionVisibilityChanged,
    DocumentDeleted,
    DocumentUpdated,
    DocumentUploaded,
    DocumentVersionCreated,
)
from sift.search.access.projection import access_projection
from sift.search.events import consumer
from sift.search.ingestion.documents import indexed_documents


class MissingOrganization(ValueError):
    """An access event without `org_id`: it could not be scoped to an organization."""


def _org(envelope: EventEnvelope) -> uuid.UUID:
    if envelope.org_id is None:
        raise MissingOrganization(f"{envelope.type} {envelope.id} has no org_id")
    return envelope.org_id


@consumer.on(CollectionCreated)
async def on_collection_created(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(CollectionCreated)
    await access_projection.set_visibility(
        session,
        org_id=_org(envelope),
        collection_id=payload.collection_id,
        visibility=payload.visibility.value,
        at=envelope.occurred_at,
        members=[],
    )
    await access_projection.set_language(
        session, collection_id=payload.collection_id, language=payload.language
    )
    if payload.redact_pii:
        await access_projection.set_redaction(
            session, collection_id=payload.collection_id, redact_pii=True
        )


@consumer.on(CollectionUpdated)
async def on_collection_updated(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(CollectionUpdated)
    if "language" in payload.fields:
        await access_projection.set_language(
            session, collection_id=payload.collection_id, language=payload.language
        )
    if "redact_pii" in payload.fields and payload.redact_pii is not None:
        # The documents service asks for the collection's re-index after this event.
        await access_projection.set_redaction(
            session, collection_id=payload.collection_id, redact_pii=payload.redact_pii
        )


@consumer.on(CollectionVisibilityChanged)
async def on_visibility_changed(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(CollectionVisibilityChanged)
    await access_projection.set_visibility(
        session,
        org_id=_org(envelope),
        collection_id=payload.collection_id,
        visibility=payload.new_visibility.value,
        at=envelope.occurred_at,
        members=payload.members,
    )


@consumer.on(CollectionDeleted)
async def on_collection_deleted(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(CollectionDeleted)
    await access_projection.delete_collection(
        session, org_id=_org(envelope), collection_id=payload.collection_id, at=envelope.occurred_at
    )


@consumer.on(CollectionMemberGranted)
async def on_member_granted(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(CollectionMemberGranted)
    await access_projection.grant(
        session,
        org_id=_org(envelope),
        collection_id=payload.collection_id,
        user_id=payload.user_id,
        role=payload.role.value,
        at=envelope.occurred_at,
    )


@consumer.on(CollectionMemberRevoked)
async def on_member_revoked(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(CollectionMemberRevoked)
    await access_projection.revoke(
        session,
        org_id=_org(envelope),
        collection_id=payload.collection_id,
        user_id=payload.user_id,
        at=envelope.occurred_at,
    )


@consumer.on(DocumentUpdated)
async def on_document_updated(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentUpdated)
    await access_projection.upsert_document(
        session,
        org_id=_org(envelope),
        document_id=payload.document_id,
        collection_id=payload.collection_id,
        at=envelope.occurred_at,
        title=payload.title,
        tags=payload.tags,
        language=payload.language,
    )
    # An external vector index (Pinecone) filters on its own copy of these.
    await indexed_documents.document_updated(
        session, payload.document_id, collection_id=payload.collection_id, tags=payload.tags
    )


async def project_document_event(
    session: AsyncSession,
    envelope: EventEnvelope,
    payload: DocumentUploaded | DocumentVersionCreated,
) -> None:
    """A stored version: the document's row (title, tags, type), created if new."""
    await access_projection.upsert_document(
        session,
        org_id=_org(envelope),
        document_id=payload.document_id,
        collection_id=payload.collection_id,
        at=envelope.occurred_at,
        title=payload.title,
        tags=payload.tags if payload.title is not None else None,
        mime_type=payload.content_type,
        fallback_title=payload.filename,
        language=payload.language,
    )


async def forget_document(
    session: AsyncSession, envelope: EventEnvelope, payload: DocumentDeleted
) -> None:
    await access_projection.delete_document(
        session, org_id=_org(envelope), document_id=payload.document_id, at=envelope.occurred_at
    )
