"""One row of settings per organization, upserted: the shape two services keep their
organization-wide defaults in (assistant: provider and quota; documents: redaction)."""

from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

SettingsT = TypeVar("SettingsT")


class OrgSettingsRepository(Generic[SettingsT]):
    """`get` and `upsert` of a model keyed by `org_id` with `updated_by` and `updated_at`."""

    def __init__(self, model: type[SettingsT]) -> None:
        self.model: Any = model

    async def get(self, session: AsyncSession, org_id: uuid.UUID) -> SettingsT | None:
        row: SettingsT | None = await session.scalar(
            select(self.model).where(self.model.org_id == org_id)
        )
        return row

    async def upsert(
        self, session: AsyncSession, org_id: uuid.UUID, updated_by: uuid.UUID, **values: object
    ) -> SettingsT:
        statement = (
            insert(self.model)
            .values(org_id=org_id, updated_by=updated_by, **values)
            .on_conflict_do_update(
                index_elements=[self.model.org_id],
                set_={"updated_by": updated_by, "updated_at": func.now(), **values},
            )
            .returning(self.model)
        )
        row: SettingsT | None = await session.scalar(
            statement, execution_options={"populate_existing": True}
        )
        assert row is not None  # an upsert always returns its row
        return row
