"""Signing keys: made, encrypted at rest, rotated; the private half never leaves identity.

A key is published (JWKS) from its creation, signs from `active_from`, and after a
successor took over it stays published until the last token it signed has expired.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import SigningKeyRotated
from sift.core.auth.sealing import decrypt, derive_key, encrypt
from sift.identity.events import events
from sift.identity.keys.repository import signing_key_repository
from sift.identity.models import SigningKey
from sift.identity.web import IdentityContext

ALGORITHM = "EdDSA"
_ENCRYPTION_PURPOSE = "sift.identity.signing-keys"


@dataclass(frozen=True)
class KeyView:
    """A key as the process caches it (the private half still encrypted)."""

    kid: str
    algorithm: str
    jwk: dict[str, Any]
    public: jwt.PyJWK
    private_key_encrypted: bytes
    active_from: datetime
    retire_after: datetime
    retired_at: datetime | None

    @classmethod
    def of(cls, row: SigningKey) -> KeyView:
        return cls(
            kid=row.kid,
            algorithm=row.algorithm,
            jwk=dict(row.public_jwk),
            public=jwt.PyJWK(row.public_jwk, row.algorithm),
            private_key_encrypted=row.private_key_encrypted,
            active_from=row.active_from,
            retire_after=row.retire_after,
            retired_at=row.retired_at,
        )

    def signs_at(self, now: datetime) -> bool:
        return self.active_from <= now and (self.retired_at is None or self.retired_at > now)


def verification_window(context: IdentityContext) -> timedelta:
    """How long a retired key must stay published: its last token's lifetime, and slack."""
    return timedelta(seconds=context.auth.access_token_seconds + context.auth.leeway_seconds + 60)


def private_key(context: IdentityContext, key: KeyView) -> Ed25519PrivateKey:
    secret = derive_key(context.settings, _ENCRYPTION_PURPOSE)
    der = decrypt(secret, key.private_key_encrypted, context=key.kid.encode())
    loaded = serialization.load_der_private_key(der, password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    return loaded


class SigningKeyService:
    async def usable(self, session: AsyncSession, context: IdentityContext) -> list[KeyView]:
        since = datetime.now(UTC) - verification_window(context)
        rows = await signing_key_repository.usable(session, retired_since=since)
        return [KeyView.of(row) for row in rows]

    async def rotate(
        self, session: AsyncSession, context: IdentityContext, *, immediate: bool = True
    ) -> SigningKey:
        """A new key: signing now (`immediate`, e.g. after a compromise of the old one) or
        after the publication lead, so that every verifier has fetched it first."""
        await signing_key_repository.lock_rotation(session)
        now = datetime.now(UTC)
        lead = timedelta(0 if immediate else context.config.key_publish_lead_seconds)
        key = self._generate(context, active_from=now + lead)
        session.add(key)
        await session.flush()
        retired = await signing_key_repository.retire_all_but(session, key.kid, key.active_from)
        await events.publish(
            session,
            SigningKeyRotated(kid=key.kid, retired_kids=retired, active_from=key.active_from),
        )
        return key

    async def ensure_current(self, session: AsyncSession, context: IdentityContext) -> bool:
        """Makes a key when none signs, or a successor when the current one is due.

        Returns whether it made one. Safe with many replicas: they queue on one lock.
        """
        await signing_key_repository.lock_rotation(session)
        keys = await self.usable(session, context)
        now = datetime.now(UTC)
        signing = [key for key in keys if key.signs_at(now)]
        if not signing:
            await self.rotate(session, context, immediate=True)
            return True
        current = max(signing, key=lambda key: key.active_from)
        successor_waiting = any(key.active_from > now for key in keys)
        lead = timedelta(seconds=context.config.key_publish_lead_seconds)
        if current.retire_after - lead <= now and not successor_waiting:
            await self.rotate(session, context, immediate=False)
            return True
        return False

    def _generate(self, context: IdentityContext, *, active_from: datetime) -> SigningKey:
        kid = secrets.token_urlsafe(12)
        private = Ed25519PrivateKey.generate()
        public_jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key()))
        der = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        secret = derive_key(context.settings, _ENCRYPTION_PURPOSE)
        return SigningKey(
            kid=kid,
            algorithm=ALGORITHM,
            public_jwk={**public_jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"},
            private_key_encrypted=encrypt(secret, der, context=kid.encode()),
            active_from=active_from,
            retire_after=active_from + timedelta(days=context.config.key_rotation_days),
        )


signing_key_service = SigningKeyService()
