"""Tables of preferences: one row per (user, type) the user changed, and one per user for
quiet hours, the digest and where to mail it. No row means the defaults."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import Boolean, DateTime, String, Time, func
from sqlalchemy.orm import Mapped, mapped_column

from sift.notifications.models import Base


class NotificationPreference(Base):
    """Which channels carry one type to one user (also what one-click unsubscribe writes).

    Per user, not per organization: mail goes to one person's address, security alerts
    are account-wide, and the unsubscribe link names a user and a type.
    """

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(64), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean)
    email: Mapped[bool] = mapped_column(Boolean)
    sms: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecipientSettings(Base):
    """A user's quiet hours and digest (the digest goes to the address book's address for
    the user, `delivery.address_book`)."""

    __tablename__ = "recipient_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    # The last period (`2026-12-04`, `2026-W49`) a digest was made for: claimed in one
    # conditional update, so two scheduler replicas never both make it.
    digest_period: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
