"""Pages of a list and their opaque cursors, the same in every service.

    items, next_cursor = await service.page(session, principal, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)

A cursor is the sort key of the last item of a page, as strings, base64url-encoded JSON;
`decode_cursor` checks its shape and `cursor_uuid` / `cursor_time` read its values, each
refusing a cursor that was not ours with `InvalidCursor` (400).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from sift.core.errors import BadRequest
from sift.core.schemas import Schema

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 512


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(BadRequest):
    code = "invalid-cursor"
    title = "Invalid cursor"

    def __init__(self) -> None:
        super().__init__("The cursor is not valid; start again without one.")


def encode_cursor(*values: object) -> str:
    """An opaque cursor: where the next page starts (the sort key of the last item)."""
    strings = [value.isoformat() if isinstance(value, datetime) else str(value) for value in values]
    raw = json.dumps(strings, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def page_of(
    rows: Sequence[T], limit: int, key: Callable[[T], tuple[object, ...]]
) -> tuple[list[T], str | None]:
    """The first `limit` of `rows` (asked for `limit + 1`, so that one more tells that
    there is a next page) and the cursor of the next page, `key` of the last item; None
    on the last page."""
    items = list(rows[:limit])
    if len(rows) <= limit or not items:
        return items, None
    return items, encode_cursor(*key(items[-1]))


def decode_cursor(cursor: str | None, size: int) -> list[str] | None:
    """The `size` values of a cursor; None without one."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except ValueError:
        raise InvalidCursor() from None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidCursor()
    if not all(isinstance(value, str) for value in values):
        raise InvalidCursor()
    return values


def cursor_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidCursor() from None


def cursor_time(value: str) -> datetime:
    """An aware time: sort keys are `timestamptz`, and a naive one cannot be compared."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidCursor() from None
    if moment.tzinfo is None:
        raise InvalidCursor()
    return moment
