"""Access tokens: their claims and their local verification against public keys.

Verification never trusts the token's header beyond choosing a key: the algorithm must be
on the allow-list (asymmetric only) and equal to the algorithm of the key its `kid`
names, so neither `alg: none` nor an HMAC "signed" with a public key can pass.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal, Protocol

import jwt
import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sift.core.auth.config import MAX_ACCESS_TOKEN_SECONDS, AuthSettings
from sift.core.auth.permissions import USER_ONLY_PERMISSIONS, Permission, Role, permissions_for
from sift.core.auth.principal import Principal, PrincipalKind
from sift.core.errors import Unauthorized

log = structlog.get_logger()

ASYMMETRIC_ALGORITHMS = frozenset({"EdDSA", "RS256"})
REQUIRED_CLAIMS = ["sub", "org", "role", "iat", "nbf", "exp", "jti", "iss", "aud"]
# Tokens remembered as verified per process: past it, the oldest is forgotten.
VERIFIED_CACHE_SIZE = 10_000


class InvalidToken(Unauthorized):
    code = "invalid-token"
    title = "Invalid access token"


class KeySource(Protocol):
    """Where a verifier finds the public key a `kid` names (a JWKS, identity's key store)."""

    async def get_key(self, kid: str) -> jwt.PyJWK | None: ...


class AccessClaims(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: uuid.UUID
    org: uuid.UUID
    role: Role
    iat: int
    nbf: int
    exp: int
    jti: str = Field(min_length=8, max_length=64)
    iss: str
    aud: str | list[str]
    sid: uuid.UUID | None = None  # the session (refresh family)
    kind: Literal["user", "api_key"] = "user"
    # An API key's token names the subset of the role's permissions it holds.
    perms: list[str] | None = None
    akid: uuid.UUID | None = None  # the API key

    def principal(self) -> Principal:
        granted = permissions_for(self.role)
        if self.kind == PrincipalKind.api_key:
            wanted = {Permission(p) for p in self.perms or () if p in Permission._value2member_map_}
            granted = frozenset(granted & wanted) - USER_ONLY_PERMISSIONS
        return Principal(
            user_id=self.sub,
            org_id=self.org,
            role=self.role,
            permissions=granted,
            token_id=self.jti,
            kind=PrincipalKind(self.kind),
            session_id=self.sid,
            api_key_id=self.akid,
        )


class TokenVerifier:
    """Verifies access tokens locally: signature, algorithm, iss, aud, exp, nbf, iat."""

    def __init__(self, keys: KeySource, *, issuer: str, config: AuthSettings) -> None:
        self.keys = keys
        self.issuer = issuer
        self.config = config
        self.algorithms = frozenset(config.algorithms) & ASYMMETRIC_ALGORITHMS
        # token -> (valid until, in epoch seconds; its kid and the key that verified it; its
        # claims). Exact string match: only a token that passed every check is found here.
        self._verified: dict[str, tuple[float, str, jwt.PyJWK, AccessClaims]] = {}

    async def verify(self, token: str) -> AccessClaims:
        remembered = self._verified.get(token)
        if remembered is not None:
            until, kid, key, claims = remembered
            # The key must still be the one its `kid` names: a withdrawn key's tokens are
            # refused as soon as the key source no longer has it, remembered or not.
            if time.time() < until and await self.keys.get_key(kid) is key:
                return claims
            self._verified.pop(token, None)
        kid, key, claims = await self._verify(token)
        self._remember(token, kid, key, claims)
        return claims

    def _remember(self, token: str, kid: str, key: jwt.PyJWK, claims: AccessClaims) -> None:
        seconds = self.config.verified_cache_seconds
        if not seconds:
            return
        while len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))
        # `exp` plus the leeway is when `_verify` itself would start refusing it.
        until = min(time.time() + seconds, claims.exp + self.config.leeway_seconds)
        self._verified[token] = (until, kid, key, claims)

    async def _verify(self, token: str) -> tuple[str, jwt.PyJWK, AccessClaims]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise self._invalid("malformed", exc) from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in self.algorithms:
            raise self._invalid("algorithm_not_allowed")
        if not isinstance(kid, str) or not kid:
            raise self._invalid("no_kid")
        key = await self.keys.get_key(kid)
        if key is None:
            raise self._invalid("unknown_kid")
        if key.algorithm_name != algorithm:
            raise self._invalid("algorithm_mismatch")
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=self.config.audience,
                issuer=self.issuer,
                leeway=self.config.leeway_seconds,
                options={"require": REQUIRED_CLAIMS, "verify_iat": True},
            )
            claims = AccessClaims.model_validate(payload)
        except (jwt.PyJWTError, ValidationError) as exc:
            raise self._invalid("claims", exc) from None
        if claims.exp - claims.iat > MAX_ACCESS_TOKEN_SECONDS:
            raise self._invalid("lifetime_too_long")
        return kid, key, claims

    @staticmethod
    def _invalid(reason: str, exc: Exception | None = None) -> InvalidToken:
        log.info("auth.token_rejected", reason=reason, error=type(exc).__name__ if exc else None)
        return InvalidToken("The access token is invalid or has expired.")
