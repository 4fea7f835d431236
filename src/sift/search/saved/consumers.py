"""Saved searches' event handler on the search consumer group (idempotent: a search is
told about a version once, whatever the redeliveries or re-indexing)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import DocumentIndexed
from sift.search.events import consumer
from sift.search.saved.service import saved_search_service


@consumer.on(DocumentIndexed)
async def on_document_indexed(session: AsyncSession, envelope: EventEnvelope) -> None:
    if envelope.org_id is None:  # nothing to match against: searches belong to an org
        return
    await saved_search_service.notify_matches(
        session, envelope.org_id, envelope.payload_as(DocumentIndexed)
    )
