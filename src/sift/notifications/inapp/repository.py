"""SQL of in-app notifications, of the uploads they name and of known sign-in addresses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, delete, func, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.batch import Memo
from sift.notifications.models import DocumentUpload, KnownSignIn, Notification

IN_APP = "in_app"
# What storing a notification writes (the database sets created_at; read_at starts empty).
_WRITTEN = (
    "id",
    "event_id",
    "user_id",
    "org_id",
    "channel",
    "type",
    "priority",
    "title",
    "body",
    "link",
)


def _visible(user_id: uuid.UUID, org_id: uuid.UUID) -> ColumnElement[bool]:
    # Account-wide notifications (no organization) show in every organization of the user.
    return (
        (Notification.channel == IN_APP)
        & (Notification.user_id == user_id)
        & or_(Notification.org_id == org_id, Notification.org_id.is_(None))
    )


class NotificationRepository:
    def inbox(self, user_id: uuid.UUID, org_id: uuid.UUID) -> Select[Notification]:
        """A user's in-app notifications in one organization: nobody else ever sees them."""
        return select(Notification).where(_visible(user_id, org_id))

    async def add(self, session: AsyncSession, notification: Notification) -> bool:
        """Stores it unless this event already told this user on this channel."""
        values = {
            column.key: getattr(notification, column.key)
            for column in Notification.__table__.columns
            if getattr(notification, column.key) is not None
        }
        added = await session.scalar(
            pg_insert(Notification)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["event_id", "user_id", "channel"])
            .returning(Notification.id)
        )
        return added is not None

    async def add_many(
        self, session: AsyncSession, notifications: Sequence[Notification]
    ) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
        """Stores them at once (an executemany: SQLAlchemy sends multi-row INSERTs), each
        unless its event already told its user on its channel; the (event, user, channel)
        of those stored."""
        rows = [
            {column: getattr(notification, column) for column in _WRITTEN}
            for notification in notifications
        ]
        result = await session.execute(
            pg_insert(Notification)
            .on_conflict_do_nothing(index_elements=["event_id", "user_id", "channel"])
            .returning(Notification.event_id, Notification.user_id, Notification.channel),
            rows,
        )
        return [(event_id, user_id, channel) for event_id, user_id, channel in result]

    async def page(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        org_id: uuid.UUID,
        *,
        before: uuid.UUID | None,
        limit: int,
        unread: bool | None,
        type_: str | None,
    ) -> list[Notification]:
        """Newest first (IDs are time-ordered)."""
        query = self.inbox(user_id, org_id).order_by(Notification.id.desc()).limit(limit)
        if before is not None:
            query = query.where(Notification.id < before)
        if unread is not None:
            query = query.where(
                Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None)
            )
        if type_ is not None:
            query = query.where(Notification.type == type_)
        return list(await session.scalars(query))

    async def after(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        org_id: uuid.UUID,
        after: uuid.UUID,
        *,
        limit: int,
    ) -> list[Notification]:
        """Oldest first, those newer than `after`: what a stream has not sent yet."""
        query = (
            self.inbox(user_id, org_id)
            .where(Notification.id > after)
            .order_by(Notification.id)
            .limit(limit)
        )
        return list(await session.scalars(query))

    async def newest_id(
        self, session: AsyncSession, user_id: uuid.UUID, org_id: uuid.UUID
    ) -> uuid.UUID | None:
        query = (
            select(Notification.id)
            .where(_visible(user_id, org_id))
            .order_by(Notification.id.desc())
            .limit(1)
        )
        newest: uuid.UUID | None = await session.scalar(query)
        return newest

    async def unread_count(
        self, session: AsyncSession, user_id: uuid.UUID, org_id: uuid.UUID
    ) -> int:
        query = select(func.count()).where(
            _visible(user_id, org_id), Notification.read_at.is_(None)
        )
        return int(await session.scalar(query) or 0)

    async def get(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        org_id: uuid.UUID,
        notification_id: uuid.UUID,
    ) -> Notification | None:
        return await session.scalar(
            self.inbox(user_id, org_id).where(Notification.id == notification_id)
        )

    async def mark_read(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        org_id: uuid.UUID,
        at: datetime,
        *,
        notification_id: uuid.UUID | None = None,
    ) -> int:
        """Marks one (or every) unread notification read; returns how many changed."""
        statement = (
            update(Notification)
            .where(_visible(user_id, org_id), Notification.read_at.is_(None))
            .values(read_at=at)
            .returning(Notification.id)
        )
        if notification_id is not None:
            statement = statement.where(Notification.id == notification_id)
        return len(list(await session.scalars(statement)))

    async def delete_all_of(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        """Every notification of the user, on every channel and in every organization."""
        gone = await session.scalars(
            delete(Notification).where(Notification.user_id == user_id).returning(Notification.id)
        )
        return len(list(gone))

    async def prune(self, session: AsyncSession, *, read_before: datetime, before: datetime) -> int:
        """Deletes read notifications older than `read_before`, any older than `before`."""
        gone = await session.scalars(
            delete(Notification)
            .where(
                or_(
                    Notification.created_at < before,
                    (Notification.created_at < read_before) & Notification.read_at.is_not(None),
                )
            )
            .returning(Notification.id)
        )
        return len(list(gone))


# In a consumer batch: each version's upload (None: unknown).
_uploads: Memo[uuid.UUID, DocumentUpload | None] = Memo("uploads")


class DocumentUploadRepository:
    async def record(self, session: AsyncSession, upload: DocumentUpload) -> None:
        """Keeps the first record of a version (a redelivered upload event changes nothing)."""
        _uploads.forget(session)
        await session.execute(
            pg_insert(DocumentUpload)
            .values(
                version_id=upload.version_id,
                document_id=upload.document_id,
                org_id=upload.org_id,
                uploaded_by=upload.uploaded_by,
                title=upload.title,
                uploaded_at=upload.uploaded_at,
            )
            .on_conflict_do_nothing(index_elements=["version_id"])
        )

    async def record_outcome(
        self, session: AsyncSession, version_id: uuid.UUID, outcome: str, at: datetime
    ) -> DocumentUpload | None:
        """The upload, if `outcome` is news for it: different from what its uploader was last
        told, and not older than that (a late older event changes nothing)."""
        _uploads.forget(session)
        changed: DocumentUpload | None = await session.scalar(
            update(DocumentUpload)
            .where(
                DocumentUpload.version_id == version_id,
                DocumentUpload.outcome.is_distinct_from(outcome),
                or_(DocumentUpload.outcome_at.is_(None), DocumentUpload.outcome_at <= at),
            )
            .values(outcome=outcome, outcome_at=at)
            .returning(DocumentUpload)
        )
        return changed

    async def get(self, session: AsyncSession, version_id: uuid.UUID) -> DocumentUpload | None:
        async def load() -> DocumentUpload | None:
            return (await self._uploads(session, [version_id])).get(version_id)

        return await _uploads.get(session, version_id, load)

    async def prefetch(
        self, session: AsyncSession, version_ids: Sequence[uuid.UUID]
    ) -> list[DocumentUpload]:
        """Keeps the uploads of these versions for the batch; those found."""
        found: dict[uuid.UUID, DocumentUpload] = {}

        async def load(keys: list[uuid.UUID]) -> dict[uuid.UUID, DocumentUpload]:
            found.update(await self._uploads(session, keys))
            return found

        await _uploads.fill(session, version_ids, load, None)
        return list(found.values())

    async def _uploads(
        self, session: AsyncSession, version_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, DocumentUpload]:
        rows = await session.scalars(
            select(DocumentUpload).where(DocumentUpload.version_id.in_(version_ids))
        )
        return {row.version_id: row for row in rows}

    async def delete_all_of(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        _uploads.forget(session)
        gone = await session.scalars(
            delete(DocumentUpload)
            .where(DocumentUpload.uploaded_by == user_id)
            .returning(DocumentUpload.version_id)
        )
        return len(list(gone))

    async def prune(self, session: AsyncSession, *, before: datetime) -> int:
        _uploads.forget(session)
        gone = await session.scalars(
            delete(DocumentUpload)
            .where(DocumentUpload.uploaded_at < before)
            .returning(DocumentUpload.version_id)
        )
        return len(list(gone))

    async def forget_document(self, session: AsyncSession, document_id: uuid.UUID) -> None:
        _uploads.forget(session)
        await session.execute(
            delete(DocumentUpload).where(DocumentUpload.document_id == document_id)
        )


class KnownSignInRepository:
    async def has_any(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        query = select(KnownSignIn.ip).where(KnownSignIn.user_id == user_id).limit(1)
        return (await session.scalar(query)) is not None

    async def delete_all_of(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        gone = await session.scalars(
            delete(KnownSignIn).where(KnownSignIn.user_id == user_id).returning(KnownSignIn.ip)
        )
        return len(list(gone))

    async def prune(self, session: AsyncSession, *, before: datetime) -> int:
        gone = await session.scalars(
            delete(KnownSignIn).where(KnownSignIn.last_seen_at < before).returning(KnownSignIn.ip)
        )
        return len(list(gone))

    async def remember(
        self, session: AsyncSession, user_id: uuid.UUID, ip: str, at: datetime
    ) -> bool:
        """Records a sign-in from `ip`; True if the address was new for the user."""
        inserted = await session.scalar(
            pg_insert(KnownSignIn)
            .values(user_id=user_id, ip=ip, first_seen_at=at, last_seen_at=at)
            .on_conflict_do_update(
                index_elements=["user_id", "ip"],
                set_={"last_seen_at": func.greatest(KnownSignIn.last_seen_at, at)},
            )
            # xmax is 0 for a row this statement inserted, not for one it updated.
            .returning(literal_column("xmax = 0"))
        )
        return bool(inserted)


notification_repository = NotificationRepository()
document_upload_repository = DocumentUploadRepository()
known_sign_in_repository = KnownSignInRepository()
