"""SQL of the e-mail addresses: the suppression list and the address book."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.batch import Memo
from sift.notifications.delivery.models import EmailAddress, EmailSuppression


class SuppressionRepository:
    async def get(self, session: AsyncSession, address: str) -> EmailSuppression | None:
        return await session.get(EmailSuppression, address.strip().lower())

    async def lift(self, session: AsyncSession, address: str) -> EmailSuppression | None:
        """Takes the address off the list; what the list held (None: it was not on it)."""
        lifted: EmailSuppression | None = await session.scalar(
            delete(EmailSuppression)
            .where(EmailSuppression.address == address.strip().lower())
            .returning(EmailSuppression)
        )
        return lifted

    async def add(
        self,
        session: AsyncSession,
        address: str,
        reason: str,
        *,
        provider: str,
        detail: str | None,
    ) -> None:
        """Suppresses the address; a complaint stays a complaint when it bounces later (it
        holds back more)."""
        values = {"reason": reason, "provider": provider, "detail": detail}
        statement = insert(EmailSuppression).values(
            address=address.strip().lower(), created_at=func.now(), updated_at=func.now(), **values
        )
        keep_complaint = func.coalesce(
            func.nullif(EmailSuppression.reason, "bounce"), statement.excluded.reason
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["address"],
                set_={
                    "reason": keep_complaint,
                    "provider": statement.excluded.provider,
                    "detail": statement.excluded.detail,
                    "updated_at": func.now(),
                },
            )
        )


# In a consumer batch: each user's address (None: none known).
_addresses: Memo[uuid.UUID, str | None] = Memo("addresses")


class AddressBookRepository:
    async def remember(
        self, session: AsyncSession, user_id: uuid.UUID, address: str, seen_at: datetime
    ) -> None:
        """Keeps the address unless a newer event already named another."""
        _addresses.forget(session)
        statement = insert(EmailAddress).values(user_id=user_id, address=address, seen_at=seen_at)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id"],
                set_={"address": statement.excluded.address, "seen_at": statement.excluded.seen_at},
                where=EmailAddress.seen_at <= statement.excluded.seen_at,
            )
        )

    async def address_of(self, session: AsyncSession, user_id: uuid.UUID) -> str | None:
        async def load() -> str | None:
            return (await self._addresses(session, [user_id])).get(user_id)

        return await _addresses.get(session, user_id, load)

    async def prefetch(self, session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> None:
        async def load(keys: list[uuid.UUID]) -> dict[uuid.UUID, str | None]:
            return await self._addresses(session, keys)

        await _addresses.fill(session, user_ids, load, None)

    async def _addresses(
        self, session: AsyncSession, user_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, str | None]:
        rows = await session.execute(
            select(EmailAddress.user_id, EmailAddress.address).where(
                EmailAddress.user_id.in_(user_ids)
            )
        )
        return dict(rows.all())

    async def forget(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        _addresses.forget(session)
        await session.execute(delete(EmailAddress).where(EmailAddress.user_id == user_id))


suppression_repository = SuppressionRepository()
address_book_repository = AddressBookRepository()
