"""Opaque, signed cursors for search pages.

A cursor carries the offset of the next page and a digest of the search it belongs to,
signed with the service's secret: an edited cursor, or one replayed with another query or
other filters, is refused (400) rather than silently paging something else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from sift.core.errors import BadRequest

MAX_CURSOR_LENGTH = 200


class InvalidCursor(BadRequest):
    code = "invalid-cursor"
    title = "Invalid cursor"

    def __init__(self) -> None:
        super().__init__("The cursor is not valid for this search; start again without one.")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def search_digest(parts: Any) -> str:
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:32]


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"sift.search.cursor\0" + secret).digest()

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:16]

    def encode(self, offset: int, digest: str) -> str:
        payload = json.dumps({"o": offset, "s": digest}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(self, cursor: str | None, digest: str) -> int:
        """The offset the cursor points at (0 without a cursor)."""
        if not cursor:
            return 0
        try:
            encoded, signature = cursor.split(".")
            payload = _unb64(encoded)
            if not hmac.compare_digest(_unb64(signature), self._sign(payload)):
                raise InvalidCursor()
            values = json.loads(payload)
        except (ValueError, TypeError):
            raise InvalidCursor() from None
        if not isinstance(values, dict) or values.get("s") != digest:
            raise InvalidCursor()
        offset = values.get("o")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise InvalidCursor()
        return offset
