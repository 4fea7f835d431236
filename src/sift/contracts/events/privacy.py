"""GDPR requests: `audit` asks every service, each service answers with its part."""

from __future__ import annotations

import uuid

from pydantic import AwareDatetime, Field

from sift.contracts.events.base import EventPayload, event


@event("privacy.erasure_requested", version=1)
class ErasureRequested(EventPayload):
    """Every service deletes or anonymizes what it holds about `user_id`, then answers."""

    request_id: uuid.UUID
    user_id: uuid.UUID
    # Organizations where the user is the only member: what they hold goes with them.
    sole_member_org_ids: list[uuid.UUID] = Field(default_factory=list)


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


@event("privacy.account_erasure_requested", version=1)
class AccountErasureRequested(EventPayload):
    """Every other service has erased its part: `identity` deletes the account itself."""

    request_id: uuid.UUID
    user_id: uuid.UUID


@event("privacy.erasure_finished", version=1)
class ErasureFinished(EventPayload):
    """The request is complete; services drop their published events that named the user.

    It carries no personal data: a service finds the user through its own
    `privacy.erasure_completed` event of the same request (still in its outbox).
    """

    request_id: uuid.UUID


@event("privacy.export_ready", version=1)
class ExportReady(EventPayload):
    """The archive can be downloaded (through the link the status API gives) until then."""

    request_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: AwareDatetime
