"""The phone number a user gets SMS notifications at: one per user, verified by a code
sent to it. SMS deliveries themselves are rows of `deliveries` (channel `sms`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from sift.notifications.models import Base


class PhoneNumber(Base):
    """Removing the number keeps the row (number None): its send counters still hold, so
    removing and adding again does not send more codes."""

    __tablename__ = "phone_numbers"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16))  # E.164; None once removed
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The pending code, as an HMAC (never the code itself), until it expires or is used.
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    code_failures: Mapped[int] = mapped_column(Integer, default=0)
    # Codes sent in the hour since `window_started_at`, and when the last one went.
    sends: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
