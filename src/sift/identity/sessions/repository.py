"""SQL of sessions: refresh-token families and their tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.db import ReadSession
from sift.identity.models import RefreshFamily, RefreshToken


class SessionRepository:
    def base(self) -> Select[RefreshFamily]:
        return select(RefreshFamily)

    async def token_for_update(
        self, session: AsyncSession, token_hash: bytes
    ) -> tuple[RefreshToken, RefreshFamily] | None:
        """The token and its family, both locked: concurrent uses of one token queue here."""
        query = (
            select(RefreshToken, RefreshFamily)
            .join(RefreshFamily, RefreshFamily.id == RefreshToken.family_id)
            .where(RefreshToken.token_hash == token_hash)
            .with_for_update()
        )
        row = (await session.execute(query)).first()
        return (row[0], row[1]) if row else None

    async def active_of_user(self, session: ReadSession, user_id: uuid.UUID) -> list[RefreshFamily]:
        query = (
            self.base()
            .where(RefreshFamily.user_id == user_id, RefreshFamily.revoked_at.is_(None))
            .order_by(RefreshFamily.last_used_at.desc())
        )
        return list((await session.scalars(query)).all())

    async def get(
        self, session: AsyncSession, family_id: uuid.UUID, *, for_update: bool = False
    ) -> RefreshFamily | None:
        query = self.base().where(RefreshFamily.id == family_id)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def revoke(
        self,
        session: AsyncSession,
        *,
        user_id: uuid.UUID,
        reason: str,
        at: datetime,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        """Revokes the user's active families (one, or all but `keep`); returns their IDs."""
        statement = update(RefreshFamily).where(
            RefreshFamily.user_id == user_id, RefreshFamily.revoked_at.is_(None)
        )
        if only is not None:
            statement = statement.where(RefreshFamily.id == only)
        if keep is not None:
            statement = statement.where(RefreshFamily.id != keep)
        result = await session.execute(
            statement.values(revoked_at=at, revoke_reason=reason).returning(RefreshFamily.id)
        )
        return [row.id for row in result]


session_repository = SessionRepository()
