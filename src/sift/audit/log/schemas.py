"""The audit log's API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sift.core.schemas import Schema


class ActorRead(Schema):
    """Who did it: `id` and `label` while the person's key exists; after their erasure
    only the `pseudonym` remains, linked to nobody."""

    id: uuid.UUID | None
    label: str | None
    pseudonym: str


class AuditEntryRead(Schema):
    id: uuid.UUID
    seq: int
    occurred_at: datetime
    recorded_at: datetime
    producer: str
    actor: ActorRead | None
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    user_agent: str | None
    data: dict[str, Any]
    hash: str
    prev_hash: str


class ChainStatus(Schema):
    ok: bool
    checked: int
    first_mismatch_seq: int | None
    first_mismatch_id: uuid.UUID | None = None
    # The oldest entry kept: those before it were purged by retention (1: none were).
    first_seq: int = 1


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
