"""GDPR requests: `audit` asks every service, each service answers with its part.

An erasure is of a person (`privacy.erasure_requested`) or of a whole organization
(`organization.deletion_requested` from identity, then `privacy.organization_erasure_requested`
from audit); either way each service answers `privacy.erasure_completed`.
"""

from __future__ import annotations

import uuid
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

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
    """One service's answer to an erasure request (counts only: the receipt has no data).

    Names what was erased: the person (`user_id`) or the organization (`org_id`), never both.
    """

    request_id: uuid.UUID
    user_id: uuid.UUID | None = None
    org_id: uuid.UUID | None = None
    service: str = Field(min_length=1, max_length=50)
    erased: int = Field(ge=0)
    anonymized: int = Field(ge=0)
    # Identity's answer to a person's erasure: the organizations they were a member of that
    # stay (not those that went with them). Each one's audit log keeps the receipt.
    kept_org_ids: list[uuid.UUID] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        if (self.user_id is None) == (self.org_id is None):
            raise ValueError("an erasure names either a user_id or an org_id")
        return self

    @property
    def subject_id(self) -> uuid.UUID:
        """Whom the erasure was of: the person, or the organization."""
        subject = self.user_id or self.org_id
        assert subject is not None  # the validator holds it
        return subject


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


class ErasedCounts(BaseModel):
    """What one service removed for an erasure."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    erased: int = Field(ge=0)
    anonymized: int = Field(ge=0)


@event("privacy.erasure_finished", version=1)
class ErasureFinished(EventPayload):
    """The request is complete; services drop their published events that named the user.

    It carries no personal data: a service finds the user through its own
    `privacy.erasure_completed` event of the same request (still in its outbox). The counts
    per service are the receipt the organization's audit log keeps (absent before they
    were added: readers take an empty receipt).
    """

    request_id: uuid.UUID
    kind: str | None = Field(default=None, max_length=50)
    services: dict[str, ErasedCounts] = Field(default_factory=dict)


@event("privacy.member_erased", version=1)
class MemberErased(EventPayload):
    """A member of the organization (the envelope's) was erased: the receipt its admins read
    in the audit log. Counts only; the person is not named."""

    request_id: uuid.UUID
    services: dict[str, ErasedCounts] = Field(default_factory=dict)


@event("privacy.export_ready", version=1)
class ExportReady(EventPayload):
    """The archive can be downloaded (through the link the status API gives) until then."""

    request_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: AwareDatetime


@event("organization.deletion_requested", version=1)
class OrganizationDeletionRequested(EventPayload):
    """The owner asked (re-authenticated) to delete the organization; identity hides it now.

    `audit` opens the privacy request `request_id` for `requested_by` to follow.
    """

    request_id: uuid.UUID
    org_id: uuid.UUID
    requested_by: uuid.UUID


@event("privacy.organization_erasure_requested", version=1)
class OrganizationErasureRequested(EventPayload):
    """Every service deletes everything it holds of the organization (every member's data
    in it), then answers `privacy.erasure_completed` with `org_id`."""

    request_id: uuid.UUID
    org_id: uuid.UUID


@event("privacy.organization_removal_requested", version=1)
class OrganizationRemovalRequested(EventPayload):
    """Every other service has erased its part: `identity` deletes the organization itself
    (memberships, invitations, API keys, sessions in it)."""

    request_id: uuid.UUID
    org_id: uuid.UUID
