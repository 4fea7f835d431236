"""SQL of deliveries and their attempts (suppressions and the address book:
`address_repository`; deleting finished deliveries: `retention`).

Status changes are conditional updates (`WHERE status = ...`): whoever changes the row
from the state it expects wins, so two workers never both send one delivery.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.ids import new_id
from sift.notifications.batch import in_batch
from sift.notifications.delivery import pending
from sift.notifications.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus

S = DeliveryStatus


_INSERT = insert(Delivery).on_conflict_do_nothing(constraint="uq_deliveries_event_recipient")


class DeliveryRepository:
    async def insert(self, session: AsyncSession, **values: Any) -> uuid.UUID | None:
        """The new delivery's ID; None when the event already made one for this recipient.

        In a consumer batch the row waits in the session (`pending`) for `insert_pending`,
        the group's before-commit hook, which stores the batch's rows in one go."""
        values = {"id": new_id(), **values}
        if in_batch(session):
            return values["id"] if pending.keep(session, values) else None
        statement = _INSERT.values(**values).returning(Delivery.id)
        inserted: uuid.UUID | None = (await session.execute(statement)).scalar_one_or_none()
        return inserted

    async def insert_pending(self, session: AsyncSession) -> None:
        """The rows a consumer batch left waiting, in one executemany (SQLAlchemy sends
        them as multi-row INSERTs)."""
        rows = pending.take(session)
        if rows:
            await session.execute(_INSERT, rows)

    def discard_pending(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """An erasure in the middle of a batch: the person's rows this batch has not stored
        yet are never stored (`insert_pending` runs after the erasure's deletes)."""
        pending.discard(session, user_id)

    async def made_by(
        self, session: AsyncSession, event_id: uuid.UUID, channel: str
    ) -> Sequence[Delivery]:
        """The deliveries of `channel` the event made (in this transaction) to users."""
        if in_batch(session):
            return pending.made_by(session, event_id, channel)
        rows = await session.scalars(
            select(Delivery).where(
                Delivery.event_id == event_id,
                Delivery.channel == channel,
                Delivery.user_id.is_not(None),
            )
        )
        return rows.all()

    async def get(self, session: AsyncSession, delivery_id: uuid.UUID) -> Delivery | None:
        return await session.get(Delivery, delivery_id, populate_existing=True)

    async def _move(
        self,
        session: AsyncSession,
        delivery_id: uuid.UUID,
        expected: Sequence[DeliveryStatus],
        *conditions: Any,
        **values: Any,
    ) -> Delivery | None:
        statement = (
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status.in_(expected), *conditions)
            .values(updated_at=func.now(), **values)
            .returning(Delivery)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return (await session.execute(statement)).scalar_one_or_none()

    async def claim(self, session: AsyncSession, delivery_id: uuid.UUID) -> Delivery | None:
        """queued -> sending, one more attempt counted; None if it was not queued, or is
        held by quiet hours."""
        return await self._move(
            session,
            delivery_id,
            [S.queued],
            or_(Delivery.not_before.is_(None), Delivery.not_before <= func.now()),
            status=S.sending,
            not_before=None,
            attempts=Delivery.attempts + 1,
            claimed_at=func.now(),
            handed_off_at=None,
        )

    async def hand_off(self, session: AsyncSession, delivery_id: uuid.UUID, attempt: int) -> bool:
        """Marks the claim `attempt` as handing the mail over; False when that claim is no
        longer this worker's (recovered as stale), and the mail must not go."""
        moved = await self._move(
            session,
            delivery_id,
            [S.sending],
            Delivery.attempts == attempt,
            Delivery.handed_off_at.is_(None),
            handed_off_at=func.now(),
        )
        return moved is not None

    async def interrupt_stale(
        self, session: AsyncSession, delivery_id: uuid.UUID, *, claimed_before: datetime
    ) -> Delivery | None:
        """A claim whose worker left it mid-send: queued again when it never handed the mail
        over (nothing went out) and attempts remain; else dead (it may have gone out)."""
        stale = (S.sending,)
        requeued = await self._move(
            session,
            delivery_id,
            stale,
            Delivery.claimed_at < claimed_before,
            Delivery.handed_off_at.is_(None),
            Delivery.attempts < Delivery.max_attempts,
            status=S.queued,
            error="The worker stopped before handing the mail over; it is sent again.",
        )
        if requeued is not None:
            return requeued
        return await self._move(
            session,
            delivery_id,
            stale,
            Delivery.claimed_at < claimed_before,
            status=S.dead,
            error=case(
                (
                    Delivery.handed_off_at.is_(None),
                    "The worker stopped before handing the mail over, and no attempts remain.",
                ),
                else_="The worker stopped after handing the mail over, before the provider "
                "answered; the mail may or may not have gone out, so it is not sent again.",
            ),
        )

    async def finish(
        self,
        session: AsyncSession,
        delivery_id: uuid.UUID,
        status: DeliveryStatus,
        *,
        attempt: int | None = None,
        **values: Any,
    ) -> Delivery | None:
        """sending -> `status` (sent, failed, dead, skipped, or queued for a retry); with
        `attempt`, only while the claim is still that attempt's."""
        fence = [Delivery.attempts == attempt] if attempt is not None else []
        return await self._move(session, delivery_id, [S.sending], *fence, status=status, **values)

    async def report(
        self,
        session: AsyncSession,
        provider: str,
        message_id: str,
        status: DeliveryStatus,
        *,
        after: Sequence[DeliveryStatus],
        error: str | None = None,
    ) -> Delivery | None:
        """`after` -> `status` for the delivery the provider knows as `message_id` (what a
        webhook reported); None when there is none, or it is past that already."""
        statement = (
            update(Delivery)
            .where(
                Delivery.provider == provider,
                Delivery.provider_message_id == message_id,
                Delivery.status.in_(after),
            )
            .values(updated_at=func.now(), status=status, **({"error": error} if error else {}))
            .returning(Delivery)
            .execution_options(synchronize_session=False)
        )
        return (await session.scalars(statement)).first()

    async def requeue(
        self, session: AsyncSession, delivery_id: uuid.UUID, *, more_attempts: int
    ) -> Delivery | None:
        """failed or dead -> queued, with `more_attempts` to spend."""
        return await self._move(
            session,
            delivery_id,
            [S.failed, S.dead],
            status=S.queued,
            max_attempts=Delivery.attempts + more_attempts,
        )

    async def stranded(
        self,
        session: AsyncSession,
        *,
        queued_before: datetime,
        claimed_before: datetime,
        limit: int,
    ) -> Sequence[uuid.UUID]:
        """Deliveries whose task message is gone: queued and untouched for long, or
        claimed by a worker that did not come back."""
        statement = (
            select(Delivery.id)
            .where(
                or_(
                    and_(
                        Delivery.status == S.queued,
                        Delivery.updated_at < queued_before,
                        Delivery.not_before.is_(None),  # a held one is released, not lost
                    ),
                    and_(Delivery.status == S.sending, Delivery.claimed_at < claimed_before),
                )
            )
            .order_by(Delivery.updated_at)
            .limit(limit)
        )
        return (await session.scalars(statement)).all()

    async def release_held(
        self, session: AsyncSession, *, now: datetime, limit: int
    ) -> Sequence[uuid.UUID]:
        """Held deliveries whose time has come, no longer held (whoever releases a row
        enqueues it; a second releaser finds it released already)."""
        due = (
            select(Delivery.id)
            .where(Delivery.status == S.queued, Delivery.not_before <= now)
            .order_by(Delivery.not_before)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(Delivery)
            .where(Delivery.id.in_(due.scalar_subquery()))
            .values(not_before=None, updated_at=func.now())
            .returning(Delivery.id)
        )
        return (await session.scalars(statement)).all()

    def of_org(self, org_id: uuid.UUID) -> Select[Delivery]:
        return select(Delivery).where(Delivery.org_id == org_id)

    async def list_of_org(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        *,
        status: DeliveryStatus | None,
        limit: int,
        before: uuid.UUID | None,
    ) -> Sequence[Delivery]:
        """Newest first (IDs are time-ordered); `before` is the last ID of the previous page."""
        statement = self.of_org(org_id)
        if status is not None:
            statement = statement.where(Delivery.status == status)
        if before is not None:
            statement = statement.where(Delivery.id < before)
        statement = statement.order_by(Delivery.id.desc()).limit(limit)
        return (await session.scalars(statement)).all()

    async def org_mailed(self, session: AsyncSession, org_id: uuid.UUID, address: str) -> bool:
        """Whether the organization's mail ever went (or was held back) to `address`."""
        statement = (
            select(Delivery.id)
            .where(
                Delivery.org_id == org_id,
                Delivery.channel == "email",
                func.lower(Delivery.address) == address.strip().lower(),
            )
            .limit(1)
        )
        return (await session.scalar(statement)) is not None

    async def get_of_org(
        self, session: AsyncSession, org_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> Delivery | None:
        statement = self.of_org(org_id).where(Delivery.id == delivery_id)
        return (await session.scalars(statement)).one_or_none()


class AttemptRepository:
    async def add(self, session: AsyncSession, attempt: DeliveryAttempt) -> None:
        session.add(attempt)
        await session.flush()

    async def of_delivery(
        self, session: AsyncSession, delivery_id: uuid.UUID
    ) -> Sequence[DeliveryAttempt]:
        statement = (
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.number)
        )
        return (await session.scalars(statement)).all()


delivery_repository = DeliveryRepository()
attempt_repository = AttemptRepository()
