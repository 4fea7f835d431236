"""Saved searches' event handlers on the search consumer group.

Matching is idempotent (a search is told about a version once, whatever the redeliveries
or re-indexing). A saved search is matched with its owner's access: identity's role
changes keep the owner's role current, and a member removed from the organization takes
their saved searches along (nobody is told about an organization they left).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import DocumentIndexed
from sift.contracts.events.identity import MemberRemoved, MemberRoleChanged
from sift.search.events import consumer
from sift.search.saved.repository import saved_search_repository
from sift.search.saved.service import saved_search_service


@consumer.on(DocumentIndexed)
async def on_document_indexed(session: AsyncSession, envelope: EventEnvelope) -> None:
    if envelope.org_id is None:  # nothing to match against: searches belong to an org
        return
    await saved_search_service.notify_matches(
        session, envelope.org_id, envelope.payload_as(DocumentIndexed)
    )


@consumer.on(MemberRoleChanged)
async def on_member_role_changed(session: AsyncSession, envelope: EventEnvelope) -> None:
    changed = envelope.payload_as(MemberRoleChanged)
    await saved_search_repository.set_owner_role(
        session, changed.org_id, changed.user_id, changed.new_role
    )


@consumer.on(MemberRemoved)
async def on_member_removed(session: AsyncSession, envelope: EventEnvelope) -> None:
    removed = envelope.payload_as(MemberRemoved)
    await saved_search_repository.delete_all_of(session, removed.org_id, removed.user_id)
