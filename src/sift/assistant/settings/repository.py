"""SQL of the organization's AI settings (one row per organization, upserted) and of the
month's usage the quota counts."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.models import OrganizationSettings, UsageDaily
from sift.core.org_settings import OrgSettingsRepository


class AssistantSettingsRepository(OrgSettingsRepository[OrganizationSettings]):
    def __init__(self) -> None:
        super().__init__(OrganizationSettings)

    async def requests_since(self, session: AsyncSession, org_id: uuid.UUID, since: date) -> int:
        """The organization's AI requests from `since` (inclusive), every member's."""
        total = await session.scalar(
            select(func.coalesce(func.sum(UsageDaily.requests), 0)).where(
                UsageDaily.org_id == org_id, UsageDaily.day >= since
            )
        )
        return int(total or 0)


assistant_settings_repository = AssistantSettingsRepository()
