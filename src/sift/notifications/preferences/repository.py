"""SQL of preferences, of recipients' settings and of the digest's pending items."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import time
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.batch import Memo, in_batch
from sift.notifications.models import Notification
from sift.notifications.preferences.models import NotificationPreference, RecipientSettings

DIGEST = "digest"  # the channel of a notification kept for the next digest

# In a consumer batch: each user's saved rows by type, and their settings (None: no row).
_preferences: Memo[uuid.UUID, dict[str, NotificationPreference]] = Memo("preferences")
_recipients: Memo[uuid.UUID, RecipientSettings | None] = Memo("recipients")


class PreferenceRepository:
    async def of_user(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> dict[str, NotificationPreference]:
        rows = await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
        return {row.type: row for row in rows}

    async def get(
        self, session: AsyncSession, user_id: uuid.UUID, type_: str
    ) -> NotificationPreference | None:
        if not in_batch(session):
            return await session.get(NotificationPreference, (user_id, type_))

        async def load() -> dict[str, NotificationPreference]:
            return await self.of_user(session, user_id)

        return (await _preferences.get(session, user_id, load)).get(type_)

    async def prefetch(self, session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> None:
        async def load(keys: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
            rows = await session.scalars(
                select(NotificationPreference).where(NotificationPreference.user_id.in_(keys))
            )
            found: dict[uuid.UUID, dict[str, Any]] = {}
            for row in rows:
                found.setdefault(row.user_id, {})[row.type] = row
            return found

        await _preferences.fill(session, user_ids, load, {})

    async def put(
        self, session: AsyncSession, user_id: uuid.UUID, type_: str, **channels: bool
    ) -> None:
        """Sets the given channels; a new row takes the defaults for the others."""
        _preferences.forget(session)
        values = {"in_app": True, "email": True, "sms": False, **channels}
        await session.execute(
            insert(NotificationPreference)
            .values(user_id=user_id, type=type_, **values)
            .on_conflict_do_update(
                index_elements=["user_id", "type"], set_={**channels, "updated_at": func.now()}
            )
        )

    async def sms_off(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """SMS off for every type (the phone number was removed)."""
        _preferences.forget(session)
        await session.execute(
            update(NotificationPreference)
            .where(NotificationPreference.user_id == user_id, NotificationPreference.sms)
            .values(sms=False, updated_at=func.now())
        )

    async def delete_all_of(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        _preferences.forget(session)
        gone = await session.scalars(
            delete(NotificationPreference)
            .where(NotificationPreference.user_id == user_id)
            .returning(NotificationPreference.type)
        )
        return len(list(gone))


class RecipientRepository:
    async def get(
        self, session: AsyncSession, user_id: uuid.UUID, *, fresh: bool = False
    ) -> RecipientSettings | None:
        async def load() -> RecipientSettings | None:
            return await session.get(RecipientSettings, user_id, populate_existing=fresh)

        if fresh:
            _recipients.forget(session)
            return await load()
        return await _recipients.get(session, user_id, load)

    async def prefetch(self, session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> None:
        async def load(keys: list[uuid.UUID]) -> dict[uuid.UUID, RecipientSettings | None]:
            rows = await session.scalars(
                select(RecipientSettings).where(RecipientSettings.user_id.in_(keys))
            )
            return {row.user_id: row for row in rows}

        await _recipients.fill(session, user_ids, load, None)

    async def set_period(
        self, session: AsyncSession, user_id: uuid.UUID, period: str | None
    ) -> None:
        _recipients.forget(session)
        await session.execute(
            update(RecipientSettings)
            .where(RecipientSettings.user_id == user_id)
            .values(digest_period=period)
        )

    async def put(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        *,
        quiet_start: time | None,
        quiet_end: time | None,
        time_zone: str | None,
        digest: str,
    ) -> None:
        values = {
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "time_zone": time_zone,
            "digest": digest,
        }
        _recipients.forget(session)
        await session.execute(
            insert(RecipientSettings)
            .values(user_id=user_id, **values)
            .on_conflict_do_update(
                index_elements=["user_id"], set_={**values, "updated_at": func.now()}
            )
        )

    async def digest_subscribers(
        self, session: AsyncSession, *, after: uuid.UUID | None, limit: int
    ) -> Sequence[RecipientSettings]:
        statement = (
            select(RecipientSettings)
            .where(RecipientSettings.digest != "off")
            .order_by(RecipientSettings.user_id)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(RecipientSettings.user_id > after)
        return (await session.scalars(statement)).all()

    async def claim_period(self, session: AsyncSession, user_id: uuid.UUID, period: str) -> bool:
        """True for the one caller that moves the user to `period` (the row stays locked
        until its transaction ends, so a second replica waits, then finds it taken)."""
        _recipients.forget(session)
        claimed = await session.scalar(
            update(RecipientSettings)
            .where(
                RecipientSettings.user_id == user_id,
                RecipientSettings.digest_period.is_distinct_from(period),
            )
            .values(digest_period=period)
            .returning(RecipientSettings.user_id)
        )
        return claimed is not None

    async def delete(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        _recipients.forget(session)
        gone = await session.scalars(
            delete(RecipientSettings)
            .where(RecipientSettings.user_id == user_id)
            .returning(RecipientSettings.user_id)
        )
        return len(list(gone))


class DigestItemRepository:
    async def discard(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """The user's items no digest has taken (their digest was switched off)."""
        await session.execute(
            delete(Notification).where(
                Notification.user_id == user_id,
                Notification.channel == DIGEST,
                Notification.digest_id.is_(None),
            )
        )

    async def take(
        self, session: AsyncSession, user_id: uuid.UUID, digest_id: uuid.UUID
    ) -> list[Notification]:
        """The user's items no digest has taken yet, now taken by `digest_id`, oldest
        first; a row taken once is never returned again."""
        rows = await session.scalars(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.channel == DIGEST,
                Notification.digest_id.is_(None),
            )
            .values(digest_id=digest_id)
            .returning(Notification)
        )
        return sorted(rows, key=lambda row: row.id)


preference_repository = PreferenceRepository()
recipient_repository = RecipientRepository()
digest_item_repository = DigestItemRepository()
