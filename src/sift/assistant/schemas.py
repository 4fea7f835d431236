"""Pages of the assistant service's lists and their cursors."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any, Generic, TypeVar

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


def encode_cursor(moment: datetime, item_id: uuid.UUID) -> str:
    """An opaque cursor: the sort key (time, ID) of the last item of a page."""
    raw = json.dumps([moment.isoformat(), str(item_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values: Any = json.loads(raw)
        moment, item_id = values
        parsed = datetime.fromisoformat(moment), uuid.UUID(item_id)
    except (ValueError, TypeError):
        raise InvalidCursor() from None
    if parsed[0].tzinfo is None:
        raise InvalidCursor()
    return parsed
