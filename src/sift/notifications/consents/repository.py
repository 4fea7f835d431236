"""SQL of product e-mail consents."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.consents.models import ProductEmailConsent


class ProductEmailConsentRepository:
    async def granted(self, session: AsyncSession, user_id: uuid.UUID) -> bool | None:
        """The person's latest choice (a column read, never a stale cached row)."""
        return await session.scalar(
            select(ProductEmailConsent.granted).where(ProductEmailConsent.user_id == user_id)
        )

    async def record(
        self, session: AsyncSession, user_id: uuid.UUID, *, granted: bool, chosen_at: datetime
    ) -> None:
        """Keeps the choice unless a later one is already kept."""
        statement = insert(ProductEmailConsent).values(
            user_id=user_id, granted=granted, chosen_at=chosen_at
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[ProductEmailConsent.user_id],
                set_={"granted": granted, "chosen_at": chosen_at},
                where=ProductEmailConsent.chosen_at < statement.excluded.chosen_at,
            )
        )

    async def delete(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        result = await session.execute(
            delete(ProductEmailConsent).where(ProductEmailConsent.user_id == user_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


product_email_consent_repository = ProductEmailConsentRepository()
