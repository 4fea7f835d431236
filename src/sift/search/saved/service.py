"""Saved searches: CRUD per user per organization, and telling owners of new matches.

When a version is indexed, the organization's searches with `notify` are matched against
its chunks (full text); a match counts only if the document passes the search's filters
and its owner may read the collection, judged with the owner's role and grants, never
the uploader's. Each search hears about a version once, even if it is indexed again.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import DocumentIndexed
from sift.contracts.events.search import (
    SavedSearchCreated,
    SavedSearchDeleted,
    SavedSearchMatched,
)
from sift.core.auth import Principal, PrincipalKind, Role, permissions_for
from sift.core.db import ReadSession, new_id
from sift.core.pagination import cursor_uuid, decode_cursor, page_of
from sift.search.access.repository import collection_access_repository
from sift.search.access.service import access_service
from sift.search.events import events
from sift.search.models import IndexedDocument, SavedSearch
from sift.search.saved.exceptions import (
    SavedSearchLimitReached,
    SavedSearchNameTaken,
    SavedSearchNotFound,
)
from sift.search.saved.repository import saved_search_repository
from sift.search.saved.schemas import SavedSearchCreate, SavedSearchFilters

log = structlog.get_logger()

COLLECTION_IDS_LOC = ("body", "filters", "collection_ids")


def owner_principal(saved: SavedSearch) -> Principal:
    """The owner as a principal with the role they last had: whose access a match needs."""
    role = Role(saved.owner_role)
    return Principal(
        user_id=saved.user_id,
        org_id=saved.org_id,
        role=role,
        permissions=permissions_for(role),
        token_id=f"saved-search:{saved.id}",
    )


def passes_filters(
    filters: SavedSearchFilters, collection_id: uuid.UUID, document: IndexedDocument | None
) -> bool:
    """Whether the document is one the saved search's filters let through."""
    if filters.collection_ids is not None and collection_id not in filters.collection_ids:
        return False
    needs_document = (
        filters.tags or filters.mime_types or filters.created_after or filters.created_before
    )
    if not needs_document:
        return True
    if document is None:  # search has not heard of it: its metadata cannot be checked
        return False
    if filters.tags:
        wanted = {tag.lower() for tag in filters.tags}
        if not wanted & {tag.lower() for tag in document.tags}:
            return False
    if filters.mime_types and (document.mime_type or "").lower() not in filters.mime_types:
        return False
    if filters.created_after and document.created_at < filters.created_after:
        return False
    return not (filters.created_before and document.created_at > filters.created_before)


class SavedSearchService:
    async def list(
        self, session: ReadSession, principal: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[SavedSearch], str | None]:
        last = decode_cursor(cursor, 1)
        rows = await saved_search_repository.page(
            session,
            principal.org_id,
            principal.user_id,
            before=cursor_uuid(last[0]) if last else None,
            limit=limit + 1,
        )
        return page_of(rows, limit, lambda row: (row.id,))

    async def get(
        self, session: ReadSession, principal: Principal, saved_id: uuid.UUID
    ) -> SavedSearch:
        saved = await saved_search_repository.get(
            session, principal.org_id, principal.user_id, saved_id
        )
        if saved is None:
            raise SavedSearchNotFound()
        return saved

    async def create(
        self,
        session: AsyncSession,
        principal: Principal,
        data: SavedSearchCreate,
        *,
        max_per_user: int,
    ) -> SavedSearch:
        await access_service.require_readable_collections(
            session, principal, data.filters.collection_ids, loc=COLLECTION_IDS_LOC
        )
        org_id, user_id = principal.org_id, principal.user_id
        if await saved_search_repository.count(session, org_id, user_id) >= max_per_user:
            raise SavedSearchLimitReached(max_per_user)
        if await saved_search_repository.name_taken(session, org_id, user_id, data.name):
            raise SavedSearchNameTaken()
        await self._refresh_owner_role(session, principal)
        now = datetime.now(UTC)
        saved = SavedSearch(
            id=new_id(),
            org_id=org_id,
            user_id=user_id,
            owner_role=principal.role.value,
            name=data.name,
            query=data.query,
            filters=data.filters.model_dump(mode="json", exclude_none=True),
            notify=data.notify,
            created_at=now,
            updated_at=now,
        )
        try:
            # The unique index settles a race between two requests saving the same name.
            async with session.begin_nested():
                session.add(saved)
                await session.flush()
        except IntegrityError:
            raise SavedSearchNameTaken() from None
        await events.publish(
            session,
            SavedSearchCreated(saved_search_id=saved.id, user_id=user_id, notify=saved.notify),
            org_id=org_id,
            actor_id=user_id,
            subject_id=saved.id,
        )
        log.info("saved_search.created", saved_search_id=str(saved.id), notify=saved.notify)
        return saved

    async def delete(
        self, session: AsyncSession, principal: Principal, saved_id: uuid.UUID
    ) -> None:
        if not await saved_search_repository.delete(
            session, principal.org_id, principal.user_id, saved_id
        ):
            raise SavedSearchNotFound()
        await self._refresh_owner_role(session, principal)
        await events.publish(
            session,
            SavedSearchDeleted(saved_search_id=saved_id, user_id=principal.user_id),
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=saved_id,
        )

    @staticmethod
    async def _refresh_owner_role(session: AsyncSession, principal: Principal) -> None:
        # Only a signed-in person's token tells their role; an API key's may be narrower.
        if principal.kind is PrincipalKind.user:
            await saved_search_repository.set_owner_role(
                session, principal.org_id, principal.user_id, principal.role.value
            )

    # Notifications.

    async def notify_matches(
        self, session: AsyncSession, org_id: uuid.UUID, indexed: DocumentIndexed
    ) -> int:
        """Publishes `search.saved_search_matched` for each search the version newly
        matches; returns how many were published."""
        if indexed.superseded or indexed.chunk_count == 0:
            return 0
        candidates = await saved_search_repository.matching_version(
            session, org_id, indexed.version_id
        )
        if not candidates:
            return 0
        document = await saved_search_repository.document(session, indexed.document_id)
        readable: dict[tuple[uuid.UUID, str], bool] = {}
        published = 0
        for saved, match_count in candidates:
            filters = SavedSearchFilters.model_validate(saved.filters)
            if not passes_filters(filters, indexed.collection_id, document):
                continue
            owner = (saved.user_id, saved.owner_role)
            if owner not in readable:
                readable[owner] = await collection_access_repository.can_read(
                    session, owner_principal(saved), indexed.collection_id
                )
            if not readable[owner]:
                continue
            if not await saved_search_repository.record_match(
                session, saved.id, indexed.version_id
            ):
                continue
            await events.publish(
                session,
                SavedSearchMatched(
                    saved_search_id=saved.id,
                    user_id=saved.user_id,
                    document_id=indexed.document_id,
                    collection_id=indexed.collection_id,
                    version_id=indexed.version_id,
                    match_count=match_count,
                ),
                org_id=org_id,
                subject_id=saved.id,
            )
            published += 1
        if published:
            log.info(
                "saved_search.matches_published",
                document_id=str(indexed.document_id),
                version_id=str(indexed.version_id),
                count=published,
            )
        return published


saved_search_service = SavedSearchService()
