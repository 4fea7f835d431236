"""SQL of single-use secrets: e-mailed link tokens here, SMS codes (`mfa.repository`) on
the same base."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.identity.models import SingleUseToken, SmsCode

SingleUse = TypeVar("SingleUse", SingleUseToken, SmsCode)


class SingleUseRepository(Generic[SingleUse]):
    """A table of secrets of a user, each for a purpose, used up by setting `used_at`."""

    model: type[SingleUse]

    def unused_of(self, user_id: uuid.UUID, purpose: str) -> tuple[ColumnElement[bool], ...]:
        model = self.model
        return (model.user_id == user_id, model.purpose == purpose, model.used_at.is_(None))

    async def retire_unused(
        self, session: AsyncSession, user_id: uuid.UUID, purpose: str, at: datetime
    ) -> None:
        """Uses up every outstanding one of the user for `purpose` (a new one replaces them,
        or the thing they were for is done)."""
        await session.execute(
            update(self.model).where(*self.unused_of(user_id, purpose)).values(used_at=at)
        )


class LinkTokenRepository(SingleUseRepository[SingleUseToken]):
    model = SingleUseToken

    async def by_hash_for_update(
        self, session: AsyncSession, token_hash: bytes, purpose: str
    ) -> SingleUseToken | None:
        """Locked: a link clicked twice at once is redeemed once."""
        query = (
            select(SingleUseToken)
            .where(SingleUseToken.token_hash == token_hash, SingleUseToken.purpose == purpose)
            .with_for_update()
        )
        return await session.scalar(query)


link_token_repository = LinkTokenRepository()
