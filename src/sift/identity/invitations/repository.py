"""SQL of invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.db import ReadSession
from sift.identity.models import Invitation, SingleUseToken


def _pending() -> tuple[ColumnElement[bool], ...]:
    return (Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))


class InvitationRepository:
    def base(self) -> Select[Invitation]:
        return select(Invitation)

    async def get_for_update(
        self, session: AsyncSession, invitation_id: uuid.UUID
    ) -> Invitation | None:
        return await session.scalar(
            self.base().where(Invitation.id == invitation_id).with_for_update()
        )

    async def get_in_org_for_update(
        self, session: AsyncSession, org_id: uuid.UUID, invitation_id: uuid.UUID
    ) -> Invitation | None:
        query = self.base().where(Invitation.id == invitation_id, Invitation.org_id == org_id)
        return await session.scalar(query.with_for_update())

    async def pending_page(
        self, session: ReadSession, org_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
    ) -> list[Invitation]:
        """Pending (neither accepted nor revoked; expired ones too) in ID order: oldest
        first, IDs being time-ordered."""
        query = (
            self.base()
            .where(Invitation.org_id == org_id, *_pending())
            .order_by(Invitation.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(Invitation.id > after)
        return list(await session.scalars(query))

    async def retire_links(
        self, session: AsyncSession, invitation_id: uuid.UUID, at: datetime
    ) -> None:
        """Uses up every outstanding link of the invitation (a new one replaces them)."""
        await session.execute(
            update(SingleUseToken)
            .where(SingleUseToken.invitation_id == invitation_id, SingleUseToken.used_at.is_(None))
            .values(used_at=at)
        )

    async def revoke_pending(
        self, session: AsyncSession, org_id: uuid.UUID, email: str, at: datetime
    ) -> None:
        await session.execute(
            update(Invitation)
            .where(
                Invitation.org_id == org_id,
                Invitation.email == email,
                *_pending(),
            )
            .values(revoked_at=at)
        )


invitation_repository = InvitationRepository()
