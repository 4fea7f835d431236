"""Request and response bodies of API keys."""

from __future__ import annotations

import uuid

from pydantic import AwareDatetime, Field

from sift.core.auth.permissions import Permission
from sift.core.schemas import Schema
from sift.core.text import DisplayName


class ApiKeyCreate(Schema):
    name: DisplayName = Field(min_length=1, max_length=100)
    permissions: list[Permission] = Field(min_length=1, max_length=len(Permission))
    expires_at: AwareDatetime | None = None


class ApiKeyRead(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    permissions: list[str]
    created_by: uuid.UUID
    created_at: AwareDatetime
    expires_at: AwareDatetime | None
    last_used_at: AwareDatetime | None
    revoked_at: AwareDatetime | None


class ApiKeyWithSecret(ApiKeyRead):
    key: str  # `sift_<prefix>_<secret>`: shown this once, never again
