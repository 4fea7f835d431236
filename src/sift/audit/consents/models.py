"""Consent records: one row per choice, never updated; the latest row of a kind is the
person's current answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sift.audit.models import Base
from sift.core.db import IdMixin


class ConsentRecord(IdMixin, Base):
    """Per person, not per organization: cookies and mail are one person's choice."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("kind IN ('analytics', 'product_email')", name="kind"),
        Index("ix_consents_user_kind_at", "user_id", "kind", "at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
