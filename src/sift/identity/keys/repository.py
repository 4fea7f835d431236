"""SQL of signing keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.events.outbox import outbox_lock_key
from sift.identity.models import SigningKey


class SigningKeyRepository:
    def base(self) -> Select[SigningKey]:
        return select(SigningKey)

    async def usable(self, session: AsyncSession, *, retired_since: datetime) -> list[SigningKey]:
        """Keys that sign or may still verify: not retired, or retired after `retired_since`."""
        query = (
            self.base()
            .where((SigningKey.retired_at.is_(None)) | (SigningKey.retired_at > retired_since))
            .order_by(SigningKey.active_from)
        )
        return list((await session.scalars(query)).all())

    async def retire_all_but(self, session: AsyncSession, kid: str, at: datetime) -> list[str]:
        result = await session.execute(
            update(SigningKey)
            .where(SigningKey.retired_at.is_(None), SigningKey.kid != kid)
            .values(retired_at=at)
            .returning(SigningKey.kid)
        )
        return [row.kid for row in result]

    async def lock_rotation(self, session: AsyncSession) -> None:
        """Serializes rotations across replicas for the rest of the transaction."""
        key = outbox_lock_key("identity_signing_keys")
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


signing_key_repository = SigningKeyRepository()
