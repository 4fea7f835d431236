"""SQL of invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.identity.models import Invitation


class InvitationRepository:
    def base(self) -> Select[Invitation]:
        return select(Invitation)

    async def get_for_update(
        self, session: AsyncSession, invitation_id: uuid.UUID
    ) -> Invitation | None:
        return await session.scalar(
            self.base().where(Invitation.id == invitation_id).with_for_update()
        )

    async def revoke_pending(
        self, session: AsyncSession, org_id: uuid.UUID, email: str, at: datetime
    ) -> None:
        await session.execute(
            update(Invitation)
            .where(
                Invitation.org_id == org_id,
                Invitation.email == email,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )


invitation_repository = InvitationRepository()
