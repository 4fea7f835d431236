"""GDPR requests: `audit` asks every service, each service answers with its part."""

from __future__ import annotations

import uuid

from pydantic import Field

from sift.contracts.events.base import EventPayload, event


@event("privacy.erasure_requested", version=1)
class ErasureRequested(EventPayload):
    """Every service deletes or anonymizes what it holds about `user_id`, then answers."""

    request_id: uuid.UUID
    user_id: uuid.UUID


@event("privacy.erasure_completed", version=1)
class ErasureCompleted(EventPayload):
    """One service's answer to an erasure request (counts only: the receipt has no data)."""

    request_id: uuid.UUID
    user_id: uuid.UUID
    service: str = Field(min_length=1, max_length=50)
    erased: int = Field(ge=0)
    anonymized: int = Field(ge=0)


@event("privacy.export_requested", version=1)
class ExportRequested(EventPayload):
    """Every service writes what it holds about `user_id` to storage, then answers."""

    request_id: uuid.UUID
    user_id: uuid.UUID


@event("privacy.export_completed", version=1)
class ExportCompleted(EventPayload):
    """One service's part of an export, stored as a file that `audit` adds to the archive."""

    request_id: uuid.UUID
    user_id: uuid.UUID
    service: str = Field(min_length=1, max_length=50)
    storage_key: str = Field(min_length=1, max_length=1024)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
