"""File names from uploads made safe to keep, show and send back (RFC 6266 / RFC 5987)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from sift.core.text import display_name
from sift.documents.models import FILENAME_LENGTH

FALLBACK_NAME = "document"
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._()\- ]")


def sanitize_filename(raw: str | None) -> str:
    """The last path segment, cleaned as any displayed name (`display_name`)."""
    name = display_name((raw or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if len(name) > FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: FILENAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:FILENAME_LENGTH].rstrip(" .")
    return name or FALLBACK_NAME


def content_disposition(filename: str, *, disposition: str = "attachment") -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''percent-encoded` for any name."""
    safe = sanitize_filename(filename)
    ascii_name = unicodedata.normalize("NFKD", safe).encode("ascii", "ignore").decode()
    ascii_name = _UNSAFE_ASCII.sub("_", ascii_name).strip(" .") or FALLBACK_NAME
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"
