"""Opaque tokens of the identity service and how they are stored (hashes only)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sift.core.auth.sealing import derive_key
from sift.core.config import CoreSettings

TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def sha256(token: str) -> bytes:
    """How a refresh token is stored: 256 random bits need no slow hash."""
    return hashlib.sha256(token.encode()).digest()


def keyed_hash(settings: CoreSettings, token: str) -> bytes:
    """How a link token is stored: only a holder of the platform secret can check one."""
    key = derive_key(settings, "sift.identity.link-tokens")
    return hmac.new(key, token.encode(), hashlib.sha256).digest()


def pseudonym(settings: CoreSettings, value: str) -> str:
    """A stable key for Redis counters that does not spell out an e-mail address."""
    key = derive_key(settings, "sift.identity.pseudonyms")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]
