"""Keys derived from the platform secret, and secrets sealed for the event bus.

A link token (e-mail verification, password reset) must reach the notifications
service through the event bus, where streams and dead letters are kept for long: it
travels sealed (AES-256-GCM under a key derived from `SIFT_SECRET_KEY`), so that
reading Redis or an outbox table does not hand out working links.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sift.core.config import CoreSettings

SEALED_PREFIX = "v1."
_NONCE_BYTES = 12


class SealError(ValueError):
    """The sealed value is corrupt, or was sealed under another secret or purpose."""


def derive_key(settings: CoreSettings, purpose: str, *, length: int = 32) -> bytes:
    """A key for one purpose only, derived from the platform secret (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode())
    return hkdf.derive(settings.secret_key.get_secret_value().encode())


def encrypt(key: bytes, plaintext: bytes, *, context: bytes = b"") -> bytes:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def decrypt(key: bytes, sealed: bytes, *, context: bytes = b"") -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context)
    except (InvalidTag, ValueError) as exc:
        raise SealError("cannot open the sealed value") from exc


def _sealing_key(settings: CoreSettings, purpose: str) -> bytes:
    return derive_key(settings, f"sift.sealed.{purpose}")


def seal(settings: CoreSettings, purpose: str, value: str) -> str:
    """`value` encrypted for `purpose` as text for a JSON field."""
    sealed = encrypt(_sealing_key(settings, purpose), value.encode(), context=purpose.encode())
    return SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def unseal(settings: CoreSettings, purpose: str, sealed: str) -> str:
    if not sealed.startswith(SEALED_PREFIX):
        raise SealError("not a sealed value")
    body = sealed[len(SEALED_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise SealError("not a sealed value") from exc
    key = _sealing_key(settings, purpose)
    return decrypt(key, raw, context=purpose.encode()).decode()
