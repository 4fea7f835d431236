"""SQL of the organization's document defaults: one row per organization, upserted."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.documents.models import OrganizationSettings


class SettingsRepository:
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


settings_repository = SettingsRepository()
