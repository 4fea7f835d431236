"""SQL of saved searches and of matching them against a newly indexed version."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.db import ReadSession
from sift.search.models import Chunk, IndexedDocument, SavedSearch, SavedSearchMatch


class SavedSearchRepository:
    def owned(self, org_id: uuid.UUID, user_id: uuid.UUID) -> Select[SavedSearch]:
        """A user's saved searches in one organization: nobody else ever sees them."""
        return select(SavedSearch).where(
            SavedSearch.org_id == org_id, SavedSearch.user_id == user_id
        )

    async def page(
        self,
        session: ReadSession,
        org_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        before: uuid.UUID | None,
        limit: int,
    ) -> list[SavedSearch]:
        """Newest first (IDs are time-ordered)."""
        query = self.owned(org_id, user_id).order_by(SavedSearch.id.desc()).limit(limit)
        if before is not None:
            query = query.where(SavedSearch.id < before)
        return list(await session.scalars(query))

    async def get(
        self, session: ReadSession, org_id: uuid.UUID, user_id: uuid.UUID, saved_id: uuid.UUID
    ) -> SavedSearch | None:
        return await session.scalar(self.owned(org_id, user_id).where(SavedSearch.id == saved_id))

    async def count(self, session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID) -> int:
        query = select(func.count()).where(
            SavedSearch.org_id == org_id, SavedSearch.user_id == user_id
        )
        return int(await session.scalar(query) or 0)

    async def name_taken(
        self, session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID, name: str
    ) -> bool:
        query = self.owned(org_id, user_id).where(SavedSearch.name == name)
        return (await session.scalar(query)) is not None

    async def delete(
        self, session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID, saved_id: uuid.UUID
    ) -> bool:
        gone = await session.scalar(
            delete(SavedSearch)
            .where(
                SavedSearch.id == saved_id,
                SavedSearch.org_id == org_id,
                SavedSearch.user_id == user_id,
            )
            .returning(SavedSearch.id)
        )
        return gone is not None

    async def delete_all_of(
        self, session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID
    ) -> None:
        await session.execute(
            delete(SavedSearch).where(SavedSearch.org_id == org_id, SavedSearch.user_id == user_id)
        )

    async def set_owner_role(
        self, session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID, role: str
    ) -> None:
        await session.execute(
            update(SavedSearch)
            .where(
                SavedSearch.org_id == org_id,
                SavedSearch.user_id == user_id,
                SavedSearch.owner_role != role,
            )
            .values(owner_role=role)
        )

    async def matching_version(
        self, session: AsyncSession, org_id: uuid.UUID, version_id: uuid.UUID
    ) -> list[tuple[SavedSearch, int]]:
        """The org's notify-searches whose query matches chunks of the version, with the
        number of chunks each matches (full text, in each chunk's own language config)."""
        matches = Chunk.tsv.op("@@")(
            func.websearch_to_tsquery(Chunk.text_search_config, SavedSearch.query)
        )
        query = (
            select(SavedSearch, func.count(Chunk.id))
            .join(Chunk, and_(Chunk.version_id == version_id, Chunk.org_id == org_id, matches))
            .where(SavedSearch.org_id == org_id, SavedSearch.notify.is_(True))
            .group_by(SavedSearch.id)
            .order_by(SavedSearch.id)
        )
        rows = await session.execute(query)
        return [(saved, int(count)) for saved, count in rows]

    async def document(
        self, session: AsyncSession, document_id: uuid.UUID
    ) -> IndexedDocument | None:
        document: IndexedDocument | None = await session.get(IndexedDocument, document_id)
        return document

    async def record_match(
        self, session: AsyncSession, saved_id: uuid.UUID, version_id: uuid.UUID
    ) -> bool:
        """False if this search was already told about this version."""
        inserted = await session.scalar(
            pg_insert(SavedSearchMatch)
            .values(saved_search_id=saved_id, version_id=version_id)
            .on_conflict_do_nothing()
            .returning(SavedSearchMatch.version_id)
        )
        return inserted is not None


saved_search_repository = SavedSearchRepository()
