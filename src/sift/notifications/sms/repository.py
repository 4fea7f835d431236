"""SQL of phone numbers, and the e-mail deliveries an SMS goes beside."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.batch import Memo
from sift.notifications.delivery.models import Delivery
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.sms.models import PhoneNumber

# In a consumer batch: each user's verified number (None: none).
_verified: Memo[uuid.UUID, str | None] = Memo("verified_phones")


def _verified_numbers(user_ids: Sequence[uuid.UUID]) -> Select[uuid.UUID, str | None]:
    return select(PhoneNumber.user_id, PhoneNumber.number).where(
        PhoneNumber.user_id.in_(user_ids),
        PhoneNumber.number.is_not(None),
        PhoneNumber.verified_at.is_not(None),
    )


class PhoneRepository:
    async def get(
        self, session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False
    ) -> PhoneNumber | None:
        # Locked while a code is sent or checked: two requests never both spend one limit.
        return await session.get(
            PhoneNumber, user_id, with_for_update=lock or None, populate_existing=lock
        )

    async def verified(self, session: AsyncSession, user_id: uuid.UUID) -> str | None:
        """The user's verified number, if any."""

        async def load() -> str | None:
            return (await self._verified(session, [user_id])).get(user_id)

        return await _verified.get(session, user_id, load)

    async def prefetch(self, session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> None:
        async def load(keys: list[uuid.UUID]) -> dict[uuid.UUID, str | None]:
            return await self._verified(session, keys)

        await _verified.fill(session, user_ids, load, None)

    async def _verified(
        self, session: AsyncSession, user_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, str | None]:
        rows = await session.execute(_verified_numbers(user_ids))
        return dict(rows.all())

    async def locked(self, session: AsyncSession, user_id: uuid.UUID) -> PhoneNumber:
        """The user's row, made if missing, locked: two first requests at once both find
        one row (and the second waits for the first), never a duplicate key."""
        _verified.forget(session)
        await session.execute(
            insert(PhoneNumber)
            .values(user_id=user_id, code_failures=0, sends=0)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        phone = await self.get(session, user_id, lock=True)
        assert phone is not None
        return phone

    async def delete(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        _verified.forget(session)
        await session.execute(delete(PhoneNumber).where(PhoneNumber.user_id == user_id))


async def email_deliveries_of(session: AsyncSession, event_id: uuid.UUID) -> Sequence[Delivery]:
    """The e-mail deliveries the event made (in this transaction, by the e-mail channel)."""
    return await delivery_repository.made_by(session, event_id, "email")


phone_repository = PhoneRepository()
