"""SQL of API keys."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.db import ReadSession
from sift.identity.models import ApiKey


class ApiKeyRepository:
    def base(self) -> Select[ApiKey]:
        return select(ApiKey)

    async def of_org(self, session: ReadSession, org_id: uuid.UUID) -> list[ApiKey]:
        query = self.base().where(ApiKey.org_id == org_id).order_by(ApiKey.created_at.desc())
        return list((await session.scalars(query)).all())

    async def get(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        key_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> ApiKey | None:
        query = self.base().where(ApiKey.org_id == org_id, ApiKey.id == key_id)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def by_prefix(self, session: AsyncSession, prefix: str) -> ApiKey | None:
        return await session.scalar(self.base().where(ApiKey.prefix == prefix))


api_key_repository = ApiKeyRepository()
