"""SQL of the organization's AI settings (one row per organization, upserted) and of the
month's usage the quota counts."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.models import OrganizationSettings, UsageDaily


class AssistantSettingsRepository:
    async def get(self, session: AsyncSession, org_id: uuid.UUID) -> OrganizationSettings | None:
        return await session.scalar(
            select(OrganizationSettings).where(OrganizationSettings.org_id == org_id)
        )

    async def upsert(
        self, session: AsyncSession, org_id: uuid.UUID, updated_by: uuid.UUID, **values: object
    ) -> OrganizationSettings:
        statement = (
            insert(OrganizationSettings)
            .values(org_id=org_id, updated_by=updated_by, **values)
            .on_conflict_do_update(
                index_elements=[OrganizationSettings.org_id],
                set_={"updated_by": updated_by, "updated_at": func.now(), **values},
            )
            .returning(OrganizationSettings)
        )
        row = await session.scalar(statement, execution_options={"populate_existing": True})
        assert row is not None  # an upsert always returns its row
        return row

    async def requests_since(self, session: AsyncSession, org_id: uuid.UUID, since: date) -> int:
        """The organization's AI requests from `since` (inclusive), every member's."""
        total = await session.scalar(
            select(func.coalesce(func.sum(UsageDaily.requests), 0)).where(
                UsageDaily.org_id == org_id, UsageDaily.day >= since
            )
        )
        return int(total or 0)


assistant_settings_repository = AssistantSettingsRepository()
