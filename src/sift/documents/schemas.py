"""Cursors of the documents service's lists are `sift.core.pagination`'s; named here only
for `documents/documents/service.py`, which imports them from the service until it moves
to core's module."""

from __future__ import annotations

from sift.core.pagination import cursor_uuid, decode_cursor, encode_cursor

__all__ = ["cursor_uuid", "decode_cursor", "encode_cursor"]
