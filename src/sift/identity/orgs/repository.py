"""SQL of organizations and memberships."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.permissions import Role
from sift.core.db import ReadSession
from sift.identity.models import Membership, Organization, User


class OrganizationRepository:
    def base(self) -> Select[Organization]:
        """Organizations that are not being deleted (those are hidden from everyone)."""
        return select(Organization).where(Organization.deletion_request_id.is_(None))

    async def get(
        self, session: AsyncSession, org_id: uuid.UUID, *, for_update: bool = False
    ) -> Organization | None:
        query = self.base().where(Organization.id == org_id)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def of_user(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> list[tuple[Organization, Membership]]:
        """The user's organizations with their membership, oldest membership first."""
        query = (
            select(Organization, Membership)
            .join(Membership, Membership.org_id == Organization.id)
            .where(Membership.user_id == user_id, Organization.deletion_request_id.is_(None))
            .order_by(Membership.created_at, Organization.id)
        )
        return [(org, membership) for org, membership in (await session.execute(query)).all()]


class MembershipRepository:
    def base(self) -> Select[Membership]:
        return select(Membership)

    async def get(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> Membership | None:
        query = self.base().where(Membership.org_id == org_id, Membership.user_id == user_id)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def count_owners(self, session: AsyncSession, org_id: uuid.UUID) -> int:
        query = select(func.count()).where(
            Membership.org_id == org_id, Membership.role == Role.owner
        )
        return int(await session.scalar(query) or 0)

    async def page(
        self, session: ReadSession, org_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
    ) -> list[tuple[Membership, User]]:
        """Members in user-ID order (time-ordered UUIDs: oldest accounts first)."""
        query = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.org_id == org_id)
            .order_by(Membership.user_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(Membership.user_id > after)
        return [(membership, user) for membership, user in (await session.execute(query)).all()]


organization_repository = OrganizationRepository()
membership_repository = MembershipRepository()
