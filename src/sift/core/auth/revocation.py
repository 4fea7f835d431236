"""Revocation: tokens identity took back before they expire, refused by every service.

Access tokens are verified locally and live up to `MAX_ACCESS_TOKEN_SECONDS`; a signed-out
session, a deleted API key or a removed member must not keep working that long. Identity
writes a marker into Redis for each thing it revokes, and `Authenticator.authenticate`
reads the markers a token could match in one round trip (MGET), in every service:

- `auth:revoked:session:<sid>`: every token of that session (refresh family);
- `auth:revoked:api_key:<akid>`: every token of that API key;
- `auth:revoked:member:<org>:<user>`: `<second>:<role>`, the user's tokens for that
  organization issued up to that second, unless they carry that role (the new one; empty
  when the member was removed). The second is the change's plus the clock-skew leeway:
  it covers identity replicas whose clocks run ahead, and a token issued by a refresh
  that read the membership just before the change committed. Tokens for the new role
  pass at once (a changed role costs one refresh); a member added back later is not
  locked out.

A revoked session or key never issues a token again, so those markers need no time. A
marker expires once every token it could match has expired (`MARKER_SECONDS`), so the
list never grows without bound.

Identity writes a marker inside the request, before its transaction commits (write-ahead),
and a failed write fails the request (503, rolled back): a committed revocation is always
in Redis. A transaction that rolls back after the write leaves a marker for nothing, which
is a spurious sign-out (for a membership, a few seconds of refusals), never a hole.

Redis unavailable when a token is checked: the request is refused with 503 (fail closed),
unless `SIFT_AUTH_REVOCATION_FAIL_OPEN` lets it through (revoked tokens then work until
Redis answers again or they expire).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Collection
from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from sift.core.auth.config import MAX_ACCESS_TOKEN_SECONDS, MAX_LEEWAY_SECONDS, AuthSettings
from sift.core.auth.permissions import Role
from sift.core.auth.tokens import AccessClaims, InvalidToken
from sift.core.config import CoreSettings
from sift.core.errors import ServiceUnavailable

log = structlog.get_logger()

_REDIS_FAILURES = (RedisError, OSError, TimeoutError)
# The longest a token a marker matches can still be accepted somewhere: issued up to a
# leeway after the change, valid for the longest lifetime, plus the verifier's leeway.
MARKER_SECONDS = MAX_ACCESS_TOKEN_SECONDS + 2 * MAX_LEEWAY_SECONDS
# A revocation may wait longer than a check: refusing it costs the user a retry.
WRITE_TIMEOUT_SECONDS = 5.0


class RevocationUnavailable(ServiceUnavailable):
    code = "revocation-unavailable"
    title = "Revocation list unavailable"


class Revocations:
    """The revocation list of one app, in the app's Redis; kept on `app.state.revocations`."""

    def __init__(self, redis: Redis, settings: CoreSettings, config: AuthSettings) -> None:
        self.redis = redis
        self.settings = settings
        self.config = config

    @classmethod
    def install(cls, app: FastAPI, config: AuthSettings | None = None) -> Revocations:
        revocations = cls(app.state.redis, app.state.settings, config or AuthSettings())
        app.state.revocations = revocations
        return revocations

    @classmethod
    def of(cls, app: FastAPI) -> Revocations:
        revocations: Revocations | None = getattr(app.state, "revocations", None)
        return revocations if revocations is not None else cls.install(app)

    def _session_key(self, session_id: uuid.UUID) -> str:
        return self.settings.redis_key("auth", "revoked", "session", str(session_id))

    def _api_key_key(self, api_key_id: uuid.UUID) -> str:
        return self.settings.redis_key("auth", "revoked", "api_key", str(api_key_id))

    def _member_key(self, org_id: uuid.UUID, user_id: uuid.UUID) -> str:
        return self.settings.redis_key("auth", "revoked", "member", str(org_id), str(user_id))

    # --- identity's side: call before the revoking transaction commits ---------------

    async def revoke_sessions(self, session_ids: Collection[uuid.UUID]) -> None:
        """Every access token of these sessions stops working everywhere."""
        await self._write([self._session_key(session_id) for session_id in session_ids])

    async def revoke_api_key(self, api_key_id: uuid.UUID) -> None:
        """Every access token exchanged for this key stops working everywhere."""
        await self._write([self._api_key_key(api_key_id)])

    async def revoke_membership(
        self, org_id: uuid.UUID, user_id: uuid.UUID, role: Role | None
    ) -> None:
        """The user's tokens for `org_id` issued until now stop working everywhere, except
        those already carrying `role`, the membership's new one (None: removed)."""
        await self._write([self._member_key(org_id, user_id)], role=role or "")

    async def _write(self, keys: list[str], *, role: str = "") -> None:
        if not keys:
            return
        # Whole seconds, like `iat`; the leeway matters to membership markers only.
        marker = f"{int(time.time()) + self.config.leeway_seconds}:{role}"
        try:
            async with asyncio.timeout(WRITE_TIMEOUT_SECONDS):
                async with self.redis.pipeline(transaction=True) as pipe:
                    for key in keys:
                        pipe.set(key, marker, ex=MARKER_SECONDS)
                    await pipe.execute()
        except _REDIS_FAILURES as exc:
            log.error("auth.revocation_write_failed", error_type=type(exc).__name__)
            raise RevocationUnavailable(
                "The revocation cannot be recorded now, so nothing was changed; try again."
            ) from exc
        log.info("auth.revoked", markers=len(keys))

    # --- every service's side --------------------------------------------------------

    async def check(self, claims: AccessClaims) -> None:
        """Raises `InvalidToken` (401, as for any dead token) if identity revoked it."""
        keys = [self._member_key(claims.org, claims.sub)]
        if claims.sid is not None:
            keys.append(self._session_key(claims.sid))
        if claims.akid is not None:
            keys.append(self._api_key_key(claims.akid))
        try:
            async with asyncio.timeout(self.config.revocation_timeout_seconds):
                member, *others = await self.redis.mget(keys)
        except _REDIS_FAILURES as exc:
            if self.config.revocation_fail_open:
                log.warning("auth.revocation_check_skipped", error_type=type(exc).__name__)
                return
            log.error("auth.revocation_check_failed", error_type=type(exc).__name__)
            raise RevocationUnavailable("Access cannot be checked now; try again.") from exc
        if any(marker is not None for marker in others):
            log.info("auth.token_rejected", reason="revoked")
            raise InvalidToken("This access token was revoked; sign in again.")
        if member is not None and _outdated(claims, member):
            log.info("auth.token_rejected", reason="membership_changed")
            raise InvalidToken("Your membership changed; refresh the access token.")


def _outdated(claims: AccessClaims, marker: bytes | str) -> bool:
    text = marker.decode() if isinstance(marker, bytes) else marker
    issued_until, _, role = text.partition(":")
    return claims.iat <= int(issued_until) and claims.role != role


async def revocations(request: Request) -> Revocations:
    return Revocations.of(request.app)


RevocationsDep = Annotated[Revocations, Depends(revocations)]
