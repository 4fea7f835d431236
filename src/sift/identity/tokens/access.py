"""Access tokens: short-lived JWTs signed with the current key (EdDSA, `kid` header)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import jwt

from sift.core.auth.permissions import Role
from sift.core.db import new_id
from sift.identity.keys.store import KeyStore


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int
    jti: str


async def issue_access_token(
    keys: KeyStore,
    *,
    user_id: uuid.UUID,
    org_id: uuid.UUID,
    role: Role | str,
    session_id: uuid.UUID | None,
    api_key_id: uuid.UUID | None = None,
    permissions: Iterable[str] = (),
) -> AccessToken:
    """A user's token, or with `api_key_id` an API key's (`kind: api_key`, its `permissions`)."""
    context = keys.context
    kid, private = await keys.signer()
    now = int(time.time())
    lifetime = context.auth.access_token_seconds
    jti = new_id().hex
    claims: dict[str, object] = {
        "sub": str(user_id),
        "org": str(org_id),
        "role": str(Role(role)),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": jti,
        "iss": context.issuer,
        "aud": context.auth.audience,
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    if api_key_id is not None:
        claims.update(kind="api_key", akid=str(api_key_id), perms=sorted(permissions))
    token = jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": kid, "typ": "JWT"})
    return AccessToken(token=token, expires_in=lifetime, jti=jti)
