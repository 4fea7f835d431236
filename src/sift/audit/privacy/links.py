"""Expiring download links: the request ID and expiry, signed with the platform's secret."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime
from urllib.parse import urlencode

from sift.core.config import CoreSettings


def _signature(settings: CoreSettings, request_id: uuid.UUID, expires: int) -> str:
    key = hashlib.sha256(
        b"sift.privacy.export-link:" + settings.secret_key.get_secret_value().encode()
    )
    message = f"{request_id}:{expires}".encode()
    return hmac.new(key.digest(), message, hashlib.sha256).hexdigest()


def download_path(settings: CoreSettings, request_id: uuid.UUID, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    query = urlencode({"expires": expires, "signature": _signature(settings, request_id, expires)})
    return f"/api/privacy/exports/{request_id}/download?{query}"


def link_is_valid(
    settings: CoreSettings, request_id: uuid.UUID, expires: int, signature: str, *, now: float
) -> bool:
    """Signed by us for this request, and not expired."""
    expected = _signature(settings, request_id, expires)
    # As bytes: compare_digest refuses text with non-ASCII characters (a forged link may have).
    return hmac.compare_digest(expected.encode(), signature.encode()) and now < expires
