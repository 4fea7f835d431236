"""SQL of consent records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.consents.models import ConsentRecord


class ConsentRepository:
    async def history(self, session: AsyncSession, user_id: uuid.UUID) -> Sequence[ConsentRecord]:
        """Every choice of the person, newest first."""
        return (
            await session.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.user_id == user_id)
                .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc())
            )
        ).all()

    async def delete_all_of(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        result = await session.execute(
            delete(ConsentRecord).where(ConsentRecord.user_id == user_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


consent_repository = ConsentRepository()
