"""In-app notifications: storing what an event tells a user, the inbox, marking read.

Storing happens in the consumer's transaction and is idempotent per (event, user, channel);
each change signals the user's open streams once it commits (`fanout`). In a consumer
batch the rows wait in the session and go in one multi-row INSERT before the commit
(`store_pending`, the group's before-commit hook).
"""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.core.auth import Principal
from sift.core.db import ReadSession, new_id
from sift.core.pagination import cursor_uuid, decode_cursor, page_of
from sift.notifications import batch
from sift.notifications.delivery.metrics import NOTIFICATIONS_SENT
from sift.notifications.inapp.exceptions import NotificationNotFound
from sift.notifications.inapp.fanout import NotificationBus
from sift.notifications.inapp.repository import (
    IN_APP,
    document_upload_repository,
    known_sign_in_repository,
    notification_repository,
)
from sift.notifications.inapp.schemas import NotificationType, Priority
from sift.notifications.models import Notification
from sift.notifications.preferences.repository import DIGEST
from sift.notifications.preferences.service import preference_service

log = structlog.get_logger()

# How many rows one read of a stream's backlog takes; it reads again until it has all.
BACKLOG_BATCH = 100

RowKey = tuple[uuid.UUID, uuid.UUID, str]  # (event, user, channel): stored once
# In a consumer batch: the rows waiting for `store_pending`, with the bus each signals.
_pending: batch.PendingRows[RowKey, tuple[Notification, NotificationBus]] = batch.PendingRows(
    "notifications"
)


class NotificationService:
    async def notify(
        self,
        session: AsyncSession,
        bus: NotificationBus,
        envelope: EventEnvelope,
        *,
        user_id: uuid.UUID,
        org_id: uuid.UUID | None,
        type: NotificationType,
        title: str,
        body: str,
        link: str | None = None,
        priority: Priority = Priority.normal,
    ) -> bool:
        """Stores what `envelope` tells `user_id`, on the channels the user wants: an in-app
        row, and a row for the next digest when the digest carries this type. True if the
        in-app row is new (False: stored already, or switched off)."""

        def row(channel: str) -> Notification:
            return Notification(
                id=new_id(),
                event_id=envelope.id,
                user_id=user_id,
                org_id=org_id,
                channel=channel,
                type=type.value,
                priority=priority.value,
                title=title[:200],
                body=body[:2000],
                link=link,
            )

        if await preference_service.gathers_in_digest(session, user_id, type.value):
            await self._add(session, bus, row(DIGEST))
        if not (await preference_service.channels(session, user_id, type.value)).in_app:
            log.info("notification.switched_off", type=type.value, event_id=str(envelope.id))
            return False
        return await self._add(session, bus, row(IN_APP))

    async def _add(
        self, session: AsyncSession, bus: NotificationBus, notification: Notification
    ) -> bool:
        if batch.in_batch(session):
            key = (notification.event_id, notification.user_id, notification.channel)
            # True unless the row exists already (a row from before processed_events).
            return _pending.add(session, notification.event_id, key, (notification, bus))
        added = await notification_repository.add(session, notification)
        if added:
            self._stored(session, bus, notification)
        return added

    @staticmethod
    def _stored(session: AsyncSession, bus: NotificationBus, notification: Notification) -> None:
        if notification.channel == IN_APP:
            bus.publish_after_commit(session, notification.user_id, "notification")
        NOTIFICATIONS_SENT.labels(notification.channel).inc()
        log.info(
            "notification.stored",
            type=notification.type,
            channel=notification.channel,
            event_id=str(notification.event_id),
        )

    async def store_pending(self, session: AsyncSession) -> None:
        """The rows a consumer batch left in `session`, in one INSERT (the group's
        before-commit hook); each signals its user's streams once they commit."""
        pending = _pending.take(session)
        if not pending:
            return
        rows = [notification for notification, _ in pending.values()]
        for key in await notification_repository.add_many(session, rows):
            notification, bus = pending[key]
            self._stored(session, bus, notification)

    def discard_pending(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """An erasure in the middle of a batch: the person's rows this batch has not stored
        yet are never stored (`store_pending` runs after the erasure's deletes)."""
        _pending.discard(session, lambda row: row[0].user_id == user_id)

    async def list(
        self,
        session: ReadSession,
        principal: Principal,
        *,
        limit: int,
        cursor: str | None,
        unread: bool | None = None,
        type: str | None = None,
    ) -> tuple[list[Notification], str | None]:
        last = decode_cursor(cursor, 1)
        rows = await notification_repository.page(
            session,
            principal.user_id,
            principal.org_id,
            before=cursor_uuid(last[0]) if last else None,
            limit=limit + 1,
            unread=unread,
            type_=type,
        )
        return page_of(rows, limit, key=lambda row: (row.id,))

    async def unread_count(self, session: AsyncSession, principal: Principal) -> int:
        return await notification_repository.unread_count(
            session, principal.user_id, principal.org_id
        )

    async def mark_read(
        self,
        session: AsyncSession,
        bus: NotificationBus,
        principal: Principal,
        notification_id: uuid.UUID,
    ) -> None:
        """Idempotent: marking a read notification again changes nothing (and is no error)."""
        notification = await notification_repository.get(
            session, principal.user_id, principal.org_id, notification_id
        )
        if notification is None:
            raise NotificationNotFound()
        changed = await notification_repository.mark_read(
            session,
            principal.user_id,
            principal.org_id,
            datetime.now(UTC),
            notification_id=notification_id,
        )
        if changed:
            bus.publish_after_commit(session, principal.user_id, "read")

    async def mark_all_read(
        self, session: AsyncSession, bus: NotificationBus, principal: Principal
    ) -> int:
        changed = await notification_repository.mark_read(
            session, principal.user_id, principal.org_id, datetime.now(UTC)
        )
        if changed:
            bus.publish_after_commit(session, principal.user_id, "read")
        return changed

    async def erase(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        """Deletes what the in-app channel holds about a person (an erasure request):
        their notifications, the uploads kept to tell them, the addresses they signed in
        from. Returns how many rows went."""
        await self.store_pending(session)  # else a row of this batch would outlive it
        erased = await notification_repository.delete_all_of(session, user_id)
        erased += await document_upload_repository.delete_all_of(session, user_id)
        erased += await known_sign_in_repository.delete_all_of(session, user_id)
        log.info("notifications.erased", rows=erased)
        return erased

    # The live feed.

    async def newest_id(self, session: AsyncSession, principal: Principal) -> uuid.UUID | None:
        return await notification_repository.newest_id(session, principal.user_id, principal.org_id)

    async def newer_than(
        self, session: AsyncSession, principal: Principal, after: uuid.UUID | None
    ) -> builtins.list[Notification]:
        """Oldest first, every notification after `after` (all of them without one)."""
        found: builtins.list[Notification] = []
        cursor = after or uuid.UUID(int=0)
        while True:
            batch = await notification_repository.after(
                session, principal.user_id, principal.org_id, cursor, limit=BACKLOG_BATCH
            )
            found.extend(batch)
            if len(batch) < BACKLOG_BATCH:
                return found
            cursor = batch[-1].id


notification_service = NotificationService()
