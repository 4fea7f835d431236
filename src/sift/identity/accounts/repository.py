"""SQL of user accounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Row, Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.db import ReadSession
from sift.identity.models import Membership, RefreshFamily, User


class UserRepository:
    def base(self) -> Select[User]:
        return select(User)

    async def get(
        self, session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
    ) -> User | None:
        query = self.base().where(User.id == user_id)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def by_email(self, session: AsyncSession, email: str) -> User | None:
        """`email` already normalized."""
        return await session.scalar(self.base().where(User.email == email))

    async def access_state(
        self,
        session: ReadSession,
        user_id: uuid.UUID,
        org_id: uuid.UUID,
        session_id: uuid.UUID | None,
    ) -> Row[User, str | None, uuid.UUID | None, datetime | None] | None:
        """What an access token still depends on: the `User` (its status), their `role` in
        `org_id`, and the `id` and `revoked_at` of the session `session_id` (null where
        they are no member, or it is not theirs); None if the user is gone."""
        query = (
            select(User, Membership.role, RefreshFamily.id, RefreshFamily.revoked_at)
            .select_from(User)
            .outerjoin(Membership, and_(Membership.user_id == User.id, Membership.org_id == org_id))
            .outerjoin(
                RefreshFamily,
                and_(RefreshFamily.id == session_id, RefreshFamily.user_id == User.id),
            )
            .where(User.id == user_id)
        )
        return (await session.execute(query)).first()


user_repository = UserRepository()
