"""Bodies of the privacy endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from sift.core.schemas import Schema


class PrivacyRequestCreated(Schema):
    id: uuid.UUID
    status: str


class ExportRead(Schema):
    id: uuid.UUID
    status: str  # pending | ready | failed
    services: dict[str, str]  # each service's part: pending | done
    created_at: datetime
    finished_at: datetime | None = None
    download_url: str | None = None
    expires_at: datetime | None = None


class PrivacyRequestRead(Schema):
    id: uuid.UUID
    kind: str
    status: str
    services: dict[str, str]
    created_at: datetime
    finished_at: datetime | None = None
    receipt: dict[str, Any] | None = None


class ErasureCreate(Schema):
    password: str = Field(min_length=1, max_length=1024)
    mfa_code: str | None = Field(default=None, max_length=32)
