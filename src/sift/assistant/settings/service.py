"""The organization's AI settings: read when an answer starts, set by admins; the monthly
quota is checked before any retrieval or provider call.

The check reads the month's count, then the answer is recorded: concurrent requests at the
very end of a quota can each pass, so an organization may end a month a few requests over.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.runtime import Runtime
from sift.assistant.settings.exceptions import MonthlyQuotaExceeded, ProviderNotOffered
from sift.assistant.settings.repository import assistant_settings_repository as repository
from sift.assistant.settings.schemas import (
    AssistantSettingsRead,
    AssistantSettingsUpdate,
    ProviderOption,
)
from sift.core.auth import Principal

log = structlog.get_logger()


@dataclass(frozen=True)
class Month:
    start: date
    next_start: datetime

    @classmethod
    def of(cls, now: datetime) -> Month:
        start = now.astimezone(UTC).date().replace(day=1)
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return cls(start, datetime(year, month, 1, tzinfo=UTC))


class AssistantSettingsService:
    async def default_provider(self, session: AsyncSession, org_id: uuid.UUID) -> str | None:
        row = await repository.get(session, org_id)
        return None if row is None else row.default_provider

    async def read(
        self, session: AsyncSession, runtime: Runtime, org_id: uuid.UUID
    ) -> AssistantSettingsRead:
        row = await repository.get(session, org_id)
        month = Month.of(datetime.now(UTC))
        return AssistantSettingsRead(
            default_provider=row.default_provider if row else None,
            monthly_answer_quota=row.monthly_answer_quota if row else None,
            answers_this_month=await repository.requests_since(session, org_id, month.start),
            quota_resets_at=month.next_start,
            providers=[
                ProviderOption(name=name, configured=configured)
                for name, configured in runtime.offered_providers()
            ],
            updated_at=row.updated_at if row else None,
        )

    async def update(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        data: AssistantSettingsUpdate,
    ) -> AssistantSettingsRead:
        offered = [name for name, configured in runtime.offered_providers() if configured]
        if data.default_provider is not None and data.default_provider not in offered:
            raise ProviderNotOffered(data.default_provider, offered)
        await repository.upsert(
            session,
            principal.org_id,
            principal.user_id,
            default_provider=data.default_provider,
            monthly_answer_quota=data.monthly_answer_quota,
        )
        log.info(
            "assistant.settings_changed",
            org_id=str(principal.org_id),
            default_provider=data.default_provider,
            monthly_answer_quota=data.monthly_answer_quota,
        )
        return await self.read(session, runtime, principal.org_id)

    async def check_quota(self, session: AsyncSession, org_id: uuid.UUID) -> None:
        """429 once the organization's AI requests this month reached its quota."""
        row = await repository.get(session, org_id)
        if row is None or row.monthly_answer_quota is None:
            return
        now = datetime.now(UTC)
        month = Month.of(now)
        used = await repository.requests_since(session, org_id, month.start)
        if used >= row.monthly_answer_quota:
            log.info("assistant.monthly_quota_reached", org_id=str(org_id), used=used)
            retry_after = max(1, int((month.next_start - now).total_seconds()))
            raise MonthlyQuotaExceeded(row.monthly_answer_quota, month.next_start, retry_after)


assistant_settings_service = AssistantSettingsService()
