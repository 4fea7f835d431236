"""SQL of collections and their grants."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sift.core.auth import Permission, Principal
from sift.core.db import ReadSession
from sift.documents.models import Collection, CollectionMember, Document, Visibility

CollectionRow = tuple[Collection, str | None]  # the collection and the caller's grant
# Made once: an alias made per query re-derives its adapted columns every time (building
# the readable-collections statement took 1.1 ms instead of 0.4 ms).
_GRANT = aliased(CollectionMember, name="caller_grant")


def sees_every_collection(principal: Principal) -> bool:
    """Owners and admins read every collection of their organization."""
    return principal.can(Permission.collections_manage)


class CollectionRepository:
    def base(self) -> Select[Collection]:
        return select(Collection)

    def readable_condition(self, principal: Principal) -> list[object]:
        """WHERE clauses: the collections `principal` may read (joinable from documents)."""
        clauses: list[object] = [Collection.org_id == principal.org_id]
        if not sees_every_collection(principal):
            grant = _GRANT
            granted = (
                select(grant.collection_id)
                .where(grant.collection_id == Collection.id, grant.user_id == principal.user_id)
                .correlate(Collection)
                .exists()
            )
            clauses.append(or_(Collection.visibility == Visibility.org, granted))
        return clauses

    def readable(self, principal: Principal) -> Select[Collection, str | None]:
        """The collections `principal` may read, each with the principal's grant (or None)."""
        return (
            select(Collection, CollectionMember.role)
            .outerjoin(
                CollectionMember,
                and_(
                    CollectionMember.collection_id == Collection.id,
                    CollectionMember.user_id == principal.user_id,
                ),
            )
            .where(*self.readable_condition(principal))  # type: ignore[arg-type]
        )

    async def get_readable(
        self,
        session: AsyncSession,
        principal: Principal,
        collection_id: uuid.UUID,
        *,
        for_update: bool = False,
        for_share: bool = False,
    ) -> CollectionRow | None:
        query = self.readable(principal).where(Collection.id == collection_id)
        if for_update or for_share:
            query = query.with_for_update(of=Collection, read=not for_update)
        row = (await session.execute(query)).first()
        return (row[0], row[1]) if row is not None else None

    async def page(
        self,
        session: ReadSession,
        principal: Principal,
        *,
        after: tuple[str, uuid.UUID] | None,
        limit: int,
    ) -> list[CollectionRow]:
        """By name (case-insensitive), then ID."""
        sort_name = func.lower(Collection.name)
        query = self.readable(principal).order_by(sort_name, Collection.id).limit(limit)
        if after is not None:
            name, last_id = after
            query = query.where(
                or_(sort_name > name, and_(sort_name == name, Collection.id > last_id))
            )
        return [(row[0], row[1]) for row in (await session.execute(query)).all()]

    async def name_taken(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        name: str,
        *,
        other_than: uuid.UUID | None = None,
    ) -> bool:
        query = select(Collection.id).where(
            Collection.org_id == org_id, func.lower(Collection.name) == name.lower()
        )
        if other_than is not None:
            query = query.where(Collection.id != other_than)
        return await session.scalar(query.limit(1)) is not None

    async def count_documents(
        self, session: AsyncSession, collection_id: uuid.UUID
    ) -> tuple[int, int]:
        """(live documents, deleted ones whose files are still being removed)."""
        deleted = Document.deleted_at.is_not(None)
        query = select(func.count().filter(~deleted), func.count().filter(deleted)).where(
            Document.collection_id == collection_id
        )
        live, pending = (await session.execute(query)).one()
        return int(live), int(pending)


class MemberRepository:
    def base(self) -> Select[CollectionMember]:
        return select(CollectionMember)

    async def get(
        self, session: AsyncSession, collection_id: uuid.UUID, user_id: uuid.UUID
    ) -> CollectionMember | None:
        query = self.base().where(
            CollectionMember.collection_id == collection_id, CollectionMember.user_id == user_id
        )
        return await session.scalar(query)

    async def page(
        self,
        session: ReadSession,
        collection_id: uuid.UUID,
        *,
        after: uuid.UUID | None,
        limit: int,
    ) -> list[CollectionMember]:
        query = (
            self.base()
            .where(CollectionMember.collection_id == collection_id)
            .order_by(CollectionMember.user_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(CollectionMember.user_id > after)
        return list(await session.scalars(query))

    async def user_ids(self, session: AsyncSession, collection_id: uuid.UUID) -> list[uuid.UUID]:
        query = select(CollectionMember.user_id).where(
            CollectionMember.collection_id == collection_id
        )
        return list(await session.scalars(query.order_by(CollectionMember.user_id)))


collection_repository = CollectionRepository()
member_repository = MemberRepository()
