"""A started sign-in, kept in Redis until its callback: single use, short-lived, and
bound to the browser that started it (a cookie holds the binding, Redis its hash)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from sift.core.config import CoreSettings

BINDING_COOKIE = "sift_oauth"
TOKEN_BYTES = 32


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class PendingSignIn:
    provider: str
    code_verifier: str
    nonce: str | None
    redirect_uri: str
    return_to: str | None
    browser: str  # SHA-256 of the binding cookie

    def bound_to(self, cookie: str | None) -> bool:
        return cookie is not None and hmac.compare_digest(self.browser, digest(cookie))


class SignInStates:
    def __init__(self, redis: Redis, settings: CoreSettings, ttl_seconds: int) -> None:
        self.redis = redis
        self.settings = settings
        self.ttl = ttl_seconds

    def _key(self, state: str) -> str:
        # Only a hash of the state is a key: a Redis dump does not let anyone finish a flow.
        return self.settings.redis_key("identity", "oauth", "state", digest(state))

    async def save(self, state: str, pending: PendingSignIn) -> None:
        await self.redis.set(self._key(state), json.dumps(asdict(pending)), ex=self.ttl)

    async def take(self, state: str) -> PendingSignIn | None:
        """The pending sign-in of `state`, deleted in the same step: a state works once."""
        raw = await self.redis.getdel(self._key(state))
        if raw is None:
            return None
        return PendingSignIn(**json.loads(raw))
