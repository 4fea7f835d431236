"""How the identity service authenticates its own callers.

It verifies access tokens with its own key store (no HTTP round trip to itself) and,
beyond the signature, checks its tables: the user still active, still a member of the
token's organization with the token's role, the session not revoked, the API key (of a
`kind: api_key` token) not revoked. A token of a
deleted user, a removed member or a signed-out session stops working here at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from sift.core.auth import Authenticator, InvalidToken, Principal, PrincipalKind, TokenVerifier
from sift.core.auth.revocation import Revocations
from sift.core.db import Database
from sift.core.ratelimit import RateLimiting, by_ip
from sift.identity.accounts.repository import user_repository
from sift.identity.accounts.throttle import LoginThrottle
from sift.identity.apikeys.repository import api_key_repository
from sift.identity.keys.store import KeyStore
from sift.identity.models import ApiKey, User, UserStatus
from sift.identity.web import IdentityContext, context_of


async def check_principal(request: Request, principal: Principal) -> None:
    database: Database = request.app.state.database
    async with database.read_sessionmaker() as session:
        row = await user_repository.access_state(
            session, principal.user_id, principal.org_id, principal.session_id
        )
        key = None
        if principal.api_key_id is not None:
            key = await api_key_repository.get(session, principal.org_id, principal.api_key_id)
    if row is None or row.User.status != UserStatus.active:
        raise InvalidToken("The account of this access token no longer exists.")
    if row.role != principal.role:
        raise InvalidToken("Your role in this organization changed; refresh the access token.")
    if principal.session_id is not None and (row.id is None or row.revoked_at is not None):
        raise InvalidToken("The session of this access token was signed out.")
    api_key = principal.kind is PrincipalKind.api_key or principal.api_key_id is not None
    if api_key and not _key_usable(key, principal):
        raise InvalidToken("The API key of this access token was revoked or has expired.")
    # The row this check just read, for an endpoint that only shows it (`GET
    # /api/users/me`), which then needs no second session (BEGIN, SELECT, ROLLBACK).
    request.state.verified_user = row.User


def _key_usable(key: ApiKey | None, principal: Principal) -> bool:
    now = datetime.now(UTC)
    return (
        key is not None
        and key.org_id == principal.org_id
        and key.created_by == principal.user_id
        and key.revoked_at is None
        and (key.expires_at is None or key.expires_at > now)
    )


def install(app: FastAPI, context: IdentityContext) -> KeyStore:
    keys = KeyStore(app, context)
    app.state.key_store = keys
    verifier = TokenVerifier(keys, issuer=context.issuer, config=context.auth)
    Authenticator.install(app, Authenticator(verifier, check=check_principal))
    Revocations.install(app, context.auth)
    return keys


async def verified_user(request: Request) -> User | None:
    """The caller's user row as `check_principal` read it for this request (detached from
    its session); None where another authenticator ran (tests install their own)."""
    user: User | None = getattr(request.state, "verified_user", None)
    return user


async def key_store(request: Request) -> KeyStore:
    keys: KeyStore = request.app.state.key_store
    return keys


async def login_throttle(request: Request) -> LoginThrottle:
    return LoginThrottle(
        request.app.state.redis,
        RateLimiting.of(request.app),
        context_of(request),
        source=by_ip(request),
    )


KeysDep = Annotated[KeyStore, Depends(key_store)]
VerifiedUserDep = Annotated[User | None, Depends(verified_user)]
ThrottleDep = Annotated[LoginThrottle, Depends(login_throttle)]
