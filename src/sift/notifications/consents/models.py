"""The one consent this service obeys, per person: product e-mail. No row: not withdrawn."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime
from sqlalchemy.orm import Mapped, mapped_column

from sift.notifications.models import Base


class ProductEmailConsent(Base):
    __tablename__ = "product_email_consents"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    # When the person chose (the event's time): an older event cannot undo a newer choice.
    chosen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
