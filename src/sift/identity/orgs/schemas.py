"""Request and response bodies of organizations and members."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from sift.core.auth.permissions import Role
from sift.core.schemas import Schema
from sift.core.text import DisplayName
from sift.identity.models import Membership, Organization, User
from sift.identity.schemas import AccessTokenRead


class OrganizationRead(Schema):
    id: uuid.UUID
    name: str
    personal: bool
    role: Role  # the caller's
    current: bool = False  # the organization of the caller's access token
    created_at: datetime

    @classmethod
    def of(cls, org: Organization, membership: Membership, current: uuid.UUID) -> OrganizationRead:
        """`org` as its member `membership` sees it, `current` being their token's org."""
        return cls.from_row(org, role=membership.role, current=org.id == current)


class OrganizationCreate(Schema):
    name: DisplayName = Field(min_length=1, max_length=200)


class OrganizationUpdate(Schema):
    name: DisplayName | None = Field(default=None, min_length=1, max_length=200)


class SwitchRead(AccessTokenRead):
    organization: OrganizationRead


class MemberRead(Schema):
    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    joined_at: datetime

    @classmethod
    def of(cls, membership: Membership, user: User) -> MemberRead:
        return cls.from_row(
            user, user_id=user.id, role=membership.role, joined_at=membership.created_at
        )


class MemberUpdate(Schema):
    role: Role


class OrganizationDeletionAccepted(Schema):
    """The organization's deletion started: follow it at `GET /api/privacy/requests/{id}`."""

    id: uuid.UUID
    status: str = "pending"
