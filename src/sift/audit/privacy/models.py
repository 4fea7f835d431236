"""Privacy requests: one row per export or erasure, with each service's answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from sift.audit.models import Base
from sift.core.db import IdMixin


class RequestKind(StrEnum):
    export = "export"
    erasure = "erasure"
    organization_erasure = "organization_erasure"


class RequestStatus(StrEnum):
    pending = "pending"
    ready = "ready"  # an export whose archive can be downloaded
    done = "done"  # an erasure every service answered
    failed = "failed"
    expired = "expired"  # an export whose archive the retention job deleted


class PrivacyRequest(IdMixin, Base):
    __tablename__ = "privacy_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('export', 'erasure', 'organization_erasure')", name="kind"),
        CheckConstraint(
            "status IN ('pending', 'ready', 'done', 'failed', 'expired')", name="status"
        ),
        Index("ix_privacy_requests_user_id", "user_id"),
        # One erasure at a time per person (the API answers 409 to a second).
        Index(
            "uq_privacy_requests_running_erasure",
            "user_id",
            unique=True,
            postgresql_where=text("kind = 'erasure' AND status = 'pending'"),
        ),
        # One deletion at a time per organization.
        Index(
            "uq_privacy_requests_running_organization_erasure",
            "org_id",
            unique=True,
            postgresql_where=text("kind = 'organization_erasure' AND status = 'pending'"),
        ),
    )

    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.pending)
    # Null once an erasure is done: the receipt that stays names nobody. (An organization's
    # erasure keeps the owner who asked, so that they can read the receipt; `org_id` goes.)
    user_id: Mapped[uuid.UUID | None] = mapped_column()
    org_id: Mapped[uuid.UUID | None] = mapped_column()
    # {service: {"status": "pending"|"done", ...counts or the part's key}}
    services: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    archive_key: Mapped[str | None] = mapped_column(String(1024))
    archive_sha256: Mapped[str | None] = mapped_column(String(64))
    archive_size: Mapped[int | None] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
