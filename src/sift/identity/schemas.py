"""The shapes several of identity's domains share."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from sift.core.schemas import Schema

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class AccessTokenRead(Schema):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a token type
    expires_in: int
