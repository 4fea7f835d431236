"""Tables of the notifications service, all in its own `notifications` schema."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sift.core.db import new_id, service_metadata
from sift.core.events.tables import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = service_metadata("notifications")


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class Notification(Base):
    """What one event told one user on one channel; in-app rows are what the user lists.

    (event_id, user_id, channel) is unique: a redelivered event, or a second handler of the
    same event, finds the row and adds nothing.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "channel"),
        # The inbox, newest first (IDs are time-ordered), and its unread count.
        Index(
            "ix_notifications_inbox", "user_id", "id", postgresql_where=text("channel = 'in_app'")
        ),
        Index(
            "ix_notifications_unread",
            "user_id",
            postgresql_where=text("channel = 'in_app' AND read_at IS NULL"),
        ),
        # What the next digest of each user takes.
        Index(
            "ix_notifications_digest_pending",
            "user_id",
            postgresql_where=text("channel = 'digest' AND digest_id IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    # Null for account-wide ones (security alerts): shown in every organization.
    org_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # On the `digest` channel: the event ID of the digest that took it (null: not yet).
    digest_id: Mapped[uuid.UUID | None]


class DocumentUpload(Base):
    """Who uploaded each document version: `document.indexed` names no uploader, so the
    upload events (`document.uploaded`, `document.version_created`) are kept here."""

    __tablename__ = "document_uploads"
    __table_args__ = (Index("ix_document_uploads_document_id", "document_id"),)

    version_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    document_id: Mapped[uuid.UUID]
    org_id: Mapped[uuid.UUID | None]
    uploaded_by: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(500))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # What the uploader was last told ('indexed' | 'failed') and when that happened: a
    # version indexed again (a retried task, a re-index) tells nobody a second time.
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KnownSignIn(Base):
    """The addresses each user has signed in from: a sign-in from a new one is alerted."""

    __tablename__ = "known_sign_ins"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
