"""SQL of permission-aware retrieval: which collections a principal may read, which documents,
and the per-org index version that cached results key on.

The rule mirrors the documents service (`effective_role`): without `documents:read` nothing;
owners and admins (`collections:manage`) read every collection of their organization; an
`org` collection is read by every member; a `restricted` one only by users holding a grant.
API keys are principals too: their creator's user ID with the key's role and permissions.
Collections search has not heard of (created before this projection existed, or whose
`collection.created` is still in flight) are unreadable: the safe default.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import Select, exists, false, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth import Permission, Principal
from sift.core.db import ReadSession
from sift.search.models import (
    CollectionAccess,
    CollectionGrant,
    IndexedDocument,
    OrgIndexVersion,
)

ORG_VISIBILITY = "org"
RESTRICTED_VISIBILITY = "restricted"


class CollectionAccessRepository:
    def readable(self, principal: Principal) -> Select[uuid.UUID]:
        """SELECT of the IDs of the collections `principal` may read (usable as a subquery)."""
        query = select(CollectionAccess.collection_id).where(
            CollectionAccess.org_id == principal.org_id
        )
        if not principal.can(Permission.documents_read):
            return query.where(false())
        if principal.can(Permission.collections_manage):
            return query
        granted = exists().where(
            CollectionGrant.collection_id == CollectionAccess.collection_id,
            CollectionGrant.user_id == principal.user_id,
        )
        return query.where(or_(CollectionAccess.visibility == ORG_VISIBILITY, granted))

    async def readable_ids(self, session: AsyncSession, principal: Principal) -> list[uuid.UUID]:
        """The collections of `principal.org_id` that `principal` may read."""
        return list(await session.scalars(self.readable(principal)))

    async def readable_among(
        self, session: AsyncSession, principal: Principal, collection_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of `collection_ids` that `principal` may read."""
        query = self.readable(principal).where(CollectionAccess.collection_id.in_(collection_ids))
        return set(await session.scalars(query))

    async def can_read(
        self, session: AsyncSession, principal: Principal, collection_id: uuid.UUID
    ) -> bool:
        query = self.readable(principal).where(CollectionAccess.collection_id == collection_id)
        return (await session.scalar(query)) is not None

    async def readable_with_index_version(
        self, session: AsyncSession, principal: Principal
    ) -> tuple[set[uuid.UUID], int]:
        """Both at once, in one round trip: what a search may read and its cache-key version."""
        readable = self.readable(principal).subquery()
        row = (
            await session.execute(
                select(
                    select(func.array_agg(readable.c.collection_id)).scalar_subquery(),
                    select(OrgIndexVersion.version)
                    .where(OrgIndexVersion.org_id == principal.org_id)
                    .scalar_subquery(),
                )
            )
        ).one()
        return set(row[0] or ()), int(row[1] or 0)


class IndexedDocumentRepository:
    async def readable_ids(
        self, session: ReadSession, principal: Principal, document_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of `document_ids` that `principal` may read now: in their organization, in a
        collection they read (where the document is today, not where it was)."""
        query = select(IndexedDocument.document_id).where(
            IndexedDocument.org_id == principal.org_id,
            IndexedDocument.document_id.in_(document_ids),
            IndexedDocument.collection_id.in_(collection_access_repository.readable(principal)),
        )
        return set(await session.scalars(query))


async def collection_language(session: AsyncSession, collection_id: uuid.UUID) -> str | None:
    """The collection's language (for texts too short for the detector), if it has one; read
    once per session (an ingest batch writes dozens of versions of one collection)."""
    known: dict[uuid.UUID, str | None] = session.info.setdefault("collection_languages", {})
    if collection_id not in known:
        known[collection_id] = await session.scalar(
            select(CollectionAccess.language).where(CollectionAccess.collection_id == collection_id)
        )
    return known[collection_id]


class IndexVersionRepository:
    async def bump(self, session: AsyncSession, org_id: uuid.UUID) -> None:
        """Moves the org's index version on, in the caller's transaction: a cached result keyed
        on the old version is never served again once the change commits (and not before)."""
        insert = pg_insert(OrgIndexVersion).values(org_id=org_id, version=1)
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=[OrgIndexVersion.org_id],
                set_={"version": OrgIndexVersion.version + 1, "updated_at": func.now()},
            )
        )

    async def get(self, session: AsyncSession, org_id: uuid.UUID) -> int:
        """The org's index version (0 before any change): part of every result-cache key."""
        version = await session.scalar(
            select(OrgIndexVersion.version).where(OrgIndexVersion.org_id == org_id)
        )
        return int(version or 0)


collection_access_repository = CollectionAccessRepository()
indexed_document_repository = IndexedDocumentRepository()
index_version_repository = IndexVersionRepository()
