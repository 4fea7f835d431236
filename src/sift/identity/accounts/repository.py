"""SQL of user accounts."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.identity.models import User


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


user_repository = UserRepository()
