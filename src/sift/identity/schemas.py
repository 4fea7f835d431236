"""The shapes several of identity's domains share."""

from __future__ import annotations

from typing import Literal

from sift.core.schemas import Schema


class AccessTokenRead(Schema):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a token type
    expires_in: int
