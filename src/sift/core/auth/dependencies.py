"""FastAPI dependencies: `Authorize("perm")` on every endpoint, `Public(...)` on the rest.

    DocumentsWrite = Annotated[Principal, Depends(Authorize("documents:write"))]

    @router.post("")
    async def upload(principal: DocumentsWrite, ...) -> DocumentRead: ...

The bearer access token is verified locally (cached JWKS, no call to identity) and checked
against the revocation list in Redis (`sift.core.auth.revocation`); the principal is also
left on `request.state.principal` for `by_principal` rate limits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sift.core.auth.config import AuthSettings
from sift.core.auth.jwks import JwksKeySource
from sift.core.auth.permissions import Permission
from sift.core.auth.principal import Principal
from sift.core.auth.revocation import Revocations
from sift.core.auth.tokens import InvalidToken, TokenVerifier
from sift.core.config import CoreSettings
from sift.core.errors import Forbidden

PrincipalCheck = Callable[[Request, Principal], Awaitable[None]]

bearer_scheme = HTTPBearer(auto_error=False, description="An access token from /api/auth/login")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


class PermissionDenied(Forbidden):
    code = "permission-denied"
    title = "Permission denied"


class Authenticator:
    """An app's way from a bearer token to a principal; kept on `app.state.authenticator`.

    A token identity revoked (session, API key, membership) is refused whatever the
    verifier, through the app's `Revocations`. `check` lets a service refuse a verified
    token on its own grounds too (identity looks at its tables: deleted users, changed
    roles).
    """

    def __init__(self, verifier: TokenVerifier, *, check: PrincipalCheck | None = None) -> None:
        self.verifier = verifier
        self.check = check

    @classmethod
    def install(cls, app: FastAPI, authenticator: Authenticator) -> Authenticator:
        app.state.authenticator = authenticator
        return authenticator

    @classmethod
    def of(cls, app: FastAPI) -> Authenticator:
        """The app's authenticator; by default one that verifies against identity's JWKS."""
        authenticator: Authenticator | None = getattr(app.state, "authenticator", None)
        if authenticator is None:
            settings: CoreSettings = app.state.settings
            config = AuthSettings()
            keys = JwksKeySource(app.state.redis, settings, config)
            verifier = TokenVerifier(keys, issuer=config.issuer_for(settings), config=config)
            authenticator = cls.install(app, cls(verifier))
        return authenticator

    async def authenticate(self, request: Request, token: str) -> Principal:
        claims = await self.verifier.verify(token)
        await Revocations.of(request.app).check(claims)
        principal = claims.principal()
        if self.check is not None:
            await self.check(request, principal)
        return principal


class Authorize:
    """Dependency: a valid bearer token whose principal holds `permission`, else 401/403."""

    def __init__(self, permission: Permission | str) -> None:
        self.permission = Permission(permission)  # a typo fails at import, not in production

    def __repr__(self) -> str:
        return f"Authorize({self.permission.value!r})"

    async def __call__(self, request: Request, credentials: BearerCredentials) -> Principal:
        if credentials is None or not credentials.credentials:
            raise InvalidToken("A bearer access token is required.")
        principal = await Authenticator.of(request.app).authenticate(
            request, credentials.credentials
        )
        request.state.principal = principal
        if not principal.can(self.permission):
            raise PermissionDenied(f"This requires the permission {self.permission.value!r}.")
        return principal


class Public:
    """Dependency marker: this route is public on purpose (the reason says why)."""

    def __init__(self, reason: str) -> None:
        if not reason.strip():
            raise ValueError("say why the route is public")
        self.reason = reason

    def __repr__(self) -> str:
        return f"Public({self.reason!r})"

    async def __call__(self) -> None:
        return None
