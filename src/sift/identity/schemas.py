"""The shapes several of identity's domains share."""

from __future__ import annotations

from typing import Any, Literal, Self

from sift.core.schemas import Schema
from sift.identity.tokens.access import AccessToken


class AccessTokenRead(Schema):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a token type
    expires_in: int

    @classmethod
    def of(cls, access: AccessToken, **values: Any) -> Self:
        """The issued token; `values` fill the fields a subclass adds (the user, the org)."""
        return cls.model_validate(
            {"access_token": access.token, "expires_in": access.expires_in, **values}
        )
