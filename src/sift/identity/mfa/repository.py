"""SQL of second factors, recovery codes, phone numbers and SMS codes."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.db import ReadSession
from sift.identity.models import MfaSettings, RecoveryCode, SmsCode, UserPhone
from sift.identity.tokens.repository import SingleUseRepository


class MfaRepository:
    async def settings(
        self, session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
    ) -> MfaSettings | None:
        query = select(MfaSettings).where(MfaSettings.user_id == user_id)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def phone(
        self, session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
    ) -> UserPhone | None:
        query = select(UserPhone).where(UserPhone.user_id == user_id)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def unused_recovery_codes(
        self, session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
    ) -> list[RecoveryCode]:
        query = select(RecoveryCode).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
        if for_update:
            query = query.with_for_update()
        return list((await session.scalars(query)).all())

    async def count_unused_recovery_codes(self, session: ReadSession, user_id: uuid.UUID) -> int:
        query = select(func.count()).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
        return int(await session.scalar(query) or 0)

    async def delete_recovery_codes(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


class SmsCodeRepository(SingleUseRepository[SmsCode]):
    model = SmsCode

    async def latest_unused_for_update(
        self, session: AsyncSession, user_id: uuid.UUID, purpose: str
    ) -> SmsCode | None:
        """The newest unused code of `purpose`, locked (two guesses at once queue here)."""
        query = (
            select(SmsCode)
            .where(*self.unused_of(user_id, purpose))
            .order_by(SmsCode.created_at.desc(), SmsCode.id.desc())
            .limit(1)
            .with_for_update()
        )
        return await session.scalar(query)


mfa_repository = MfaRepository()
sms_code_repository = SmsCodeRepository()
