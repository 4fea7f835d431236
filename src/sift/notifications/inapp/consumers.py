"""In-app handlers on the notifications consumer group: what each event tells whom.

Documents: indexed / failed, to the uploader (kept from the upload events, which
`document.indexed` does not repeat). Search: a saved search matched, to its owner. Members:
provisioned into an organization, granted a restricted collection. Security alerts are in
`security.py` and a ready data export in `privacy.py`, registered by importing them here.
Link mails (verification, reset, invitation) are e-mail only: there is nobody signed in to
tell. An erasure request deletes what the in-app channel holds about the person.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    CollectionMemberGranted,
    CollectionVisibilityName,
    DocumentDeleted,
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentUploaded,
    DocumentVersionCreated,
)
from sift.contracts.events.identity import MemberProvisioned
from sift.contracts.events.privacy import ErasureRequested
from sift.contracts.events.search import SavedSearchMatched
from sift.notifications.decisions import upload_outcome
from sift.notifications.events import consumer, on
from sift.notifications.inapp import privacy, security
from sift.notifications.inapp.fanout import process_bus
from sift.notifications.inapp.repository import IN_APP, document_upload_repository
from sift.notifications.inapp.schemas import NotificationType, Priority
from sift.notifications.inapp.service import notification_service
from sift.notifications.models import DocumentUpload
from sift.notifications.prefetch import prefetch

# `sift consume notifications` finds the group through this module.
__all__ = ["consumer", "privacy", "security"]

# A batch reads what its handlers need at once, and stores its notifications at once.
consumer.add_before_batch(prefetch)
consumer.add_before_commit(notification_service.store_pending)


async def _tell(
    session: AsyncSession,
    envelope: EventEnvelope,
    user_id: uuid.UUID,
    org_id: uuid.UUID | None,
    type: NotificationType,
    title: str,
    body: str,
    link: str | None,
    priority: Priority = Priority.normal,
) -> None:
    await notification_service.notify(
        session,
        process_bus(),
        envelope,
        user_id=user_id,
        org_id=org_id,
        type=type,
        title=title,
        body=body,
        link=link,
        priority=priority,
    )


# Documents.


async def _record_upload(
    session: AsyncSession,
    envelope: EventEnvelope,
    payload: DocumentUploaded | DocumentVersionCreated,
) -> None:
    if envelope.actor_id is None:
        return  # nobody to tell when it is indexed
    await document_upload_repository.record(
        session,
        DocumentUpload(
            version_id=payload.version_id,
            document_id=payload.document_id,
            org_id=envelope.org_id,
            uploaded_by=envelope.actor_id,
            title=payload.title or payload.filename,
            uploaded_at=envelope.occurred_at,
        ),
    )


@on(DocumentUploaded, channel=IN_APP)
async def on_document_uploaded(session: AsyncSession, envelope: EventEnvelope) -> None:
    await _record_upload(session, envelope, envelope.payload_as(DocumentUploaded))


@on(DocumentVersionCreated, channel=IN_APP)
async def on_version_created(session: AsyncSession, envelope: EventEnvelope) -> None:
    await _record_upload(session, envelope, envelope.payload_as(DocumentVersionCreated))


@on(DocumentDeleted, channel=IN_APP)
async def on_document_deleted(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentDeleted)
    await document_upload_repository.forget_document(session, payload.document_id)


@on(DocumentIndexed, channel=IN_APP)
async def on_document_indexed(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentIndexed)
    if payload.superseded:
        return  # a newer version was indexed instead: its own event tells the uploader
    upload = await upload_outcome(session, envelope, payload.version_id, "indexed")
    if upload is None:
        return  # the uploader knows already, or is unknown (an upload before this service)
    await _tell(
        session,
        envelope,
        upload.uploaded_by,
        upload.org_id or envelope.org_id,
        NotificationType.document_indexed,
        "Document ready",
        f"“{upload.title}” is indexed and can be searched.",
        f"/documents/{payload.document_id}",
    )


@on(DocumentIndexFailed, channel=IN_APP)
async def on_document_index_failed(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(DocumentIndexFailed)
    upload = await upload_outcome(session, envelope, payload.version_id, "failed")
    if upload is None:
        return
    await _tell(
        session,
        envelope,
        upload.uploaded_by,
        upload.org_id or envelope.org_id,
        NotificationType.document_index_failed,
        "Document could not be indexed",
        f"“{upload.title}” could not be indexed: {payload.reason}",
        f"/documents/{payload.document_id}",
        Priority.high,
    )


# Search.


@on(SavedSearchMatched, channel=IN_APP)
async def on_saved_search_matched(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(SavedSearchMatched)
    upload = await document_upload_repository.get(session, payload.version_id)
    name = f"“{upload.title}”" if upload is not None else "A new document"
    passages = "passage" if payload.match_count == 1 else "passages"
    await _tell(
        session,
        envelope,
        payload.user_id,
        envelope.org_id,
        NotificationType.saved_search_matched,
        "New match for a saved search",
        f"{name} matches one of your saved searches ({payload.match_count} {passages}).",
        f"/documents/{payload.document_id}",
    )


# Members.


@on(MemberProvisioned, channel=IN_APP)
async def on_member_provisioned(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(MemberProvisioned)
    await _tell(
        session,
        envelope,
        payload.user_id,
        payload.org_id,
        NotificationType.member_added,
        "Added to an organization",
        f"Your sign-in with {payload.provider} made you a member ({payload.role}) of an "
        "organization.",
        "/members",
    )


@on(CollectionMemberGranted, channel=IN_APP)
async def on_collection_member_granted(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(CollectionMemberGranted)
    if payload.previous_role is not None or payload.user_id == envelope.actor_id:
        return  # a changed role, or a grant to oneself, is no news to the member
    await _tell(
        session,
        envelope,
        payload.user_id,
        envelope.org_id,
        NotificationType.collection_access_granted,
        "Added to a collection",
        f"You were given {payload.role.value} access to a "
        f"{CollectionVisibilityName.restricted.value} collection.",
        f"/collections/{payload.collection_id}",
    )


# Privacy.


@on(ErasureRequested, channel=IN_APP)
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(ErasureRequested)
    await notification_service.erase(session, payload.user_id)
