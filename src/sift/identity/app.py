"""The identity service's FastAPI application (`sift serve identity`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings, get_settings
from sift.core.ratelimit import RateLimiting
from sift.identity import access
from sift.identity.accounts import endpoints as accounts
from sift.identity.config import IdentitySettings, get_identity_settings
from sift.identity.invitations import endpoints as invitations
from sift.identity.keys import endpoints as keys
from sift.identity.orgs import endpoints as orgs
from sift.identity.sessions import endpoints as sessions
from sift.identity.web import IdentityContext

NAME = "identity"


def create_app(
    settings: CoreSettings | None = None,
    *,
    config: IdentitySettings | None = None,
    auth: AuthSettings | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    context = IdentityContext(settings, config or get_identity_settings(), auth or AuthSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        RateLimiting.install(app)
        access.install(app, context)
        yield

    app = create_service_app(
        NAME,
        settings=settings,
        routers=[
            accounts.router,
            accounts.users,
            sessions.router,
            orgs.router,
            invitations.router,
            keys.router,
        ],
        lifespan=lifespan,
        description="Accounts, organizations, sessions and access tokens.",
    )
    app.state.identity = context
    return app
