"""Who is calling: what every endpoint receives from `Authorize(...)`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from sift.core.auth.permissions import Permission, Role


class PrincipalKind(StrEnum):
    user = "user"
    api_key = "api_key"


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID  # for an API key: the user who created it
    org_id: uuid.UUID
    role: Role
    permissions: frozenset[Permission]
    token_id: str  # the access token's `jti`
    kind: PrincipalKind = PrincipalKind.user
    session_id: uuid.UUID | None = None  # the refresh family (sign-in) the token came from
    api_key_id: uuid.UUID | None = field(default=None)

    @property
    def id(self) -> str:
        """A stable key for rate limits and logs (`by_principal`)."""
        if self.kind is PrincipalKind.api_key and self.api_key_id is not None:
            return f"api_key:{self.api_key_id}"
        return f"user:{self.user_id}"

    def can(self, permission: Permission | str) -> bool:
        return Permission(permission) in self.permissions
