"""Request and response bodies of invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sift.core.auth.permissions import Role
from sift.core.schemas import Schema
from sift.identity.accounts.emails import EmailAddress


class InvitationCreate(Schema):
    email: EmailAddress
    role: Role = Role.viewer


class InvitationRead(Schema):
    id: uuid.UUID
    org_id: uuid.UUID
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime
    invited_by: uuid.UUID | None = None
