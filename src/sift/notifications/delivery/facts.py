"""What a mail needs beyond its event, found when the event arrives (in its transaction):
whether the event is news worth a mail at all, and the data its event does not carry.

Each returns the facts (a JSON-able dict, stored on the delivery and read when the mail is
rendered) or None for "no mail". The news decisions are the ones the in-app channel makes
(`sift.notifications.decisions`), made once per event for both channels.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import DocumentIndexed, DocumentIndexFailed
from sift.contracts.events.search import SavedSearchMatched
from sift.notifications.decisions import new_sign_in, upload_outcome
from sift.notifications.inapp.repository import document_upload_repository

Facts = dict[str, Any]


async def none_needed(_: AsyncSession, __: EventEnvelope) -> Facts | None:
    return {}


async def sign_in_from_new_address(session: AsyncSession, envelope: EventEnvelope) -> Facts | None:
    return {} if await new_sign_in(session, envelope) else None


async def _uploader_told(
    session: AsyncSession, envelope: EventEnvelope, version_id: Any, outcome: str
) -> Facts | None:
    upload = await upload_outcome(session, envelope, version_id, outcome)
    if upload is None:
        return None  # told already, or an upload from before this service kept them
    return {"uploaded_by": str(upload.uploaded_by), "title": upload.title}


async def document_indexed(session: AsyncSession, envelope: EventEnvelope) -> Facts | None:
    payload = envelope.payload_as(DocumentIndexed)
    if payload.superseded:
        return None  # a newer version was indexed instead: its own event tells
    return await _uploader_told(session, envelope, payload.version_id, "indexed")


async def document_failed(session: AsyncSession, envelope: EventEnvelope) -> Facts | None:
    payload = envelope.payload_as(DocumentIndexFailed)
    return await _uploader_told(session, envelope, payload.version_id, "failed")


async def saved_search_match(session: AsyncSession, envelope: EventEnvelope) -> Facts | None:
    payload = envelope.payload_as(SavedSearchMatched)
    upload = await document_upload_repository.get(session, payload.version_id)
    return {"title": upload.title if upload is not None else None}
