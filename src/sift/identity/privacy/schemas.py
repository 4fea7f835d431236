"""Bodies of identity's internal re-authentication API (called by audit)."""

from __future__ import annotations

import uuid

from pydantic import Field

from sift.core.schemas import Schema


class Reauthentication(Schema):
    password: str = Field(min_length=1, max_length=1024)
    mfa_code: str | None = Field(default=None, max_length=32)


class Reauthenticated(Schema):
    user_id: uuid.UUID
    # Organizations where the caller is the only member: they go with the account.
    sole_member_org_ids: list[uuid.UUID]
