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
from sift.identity.apikeys import endpoints as apikeys
from sift.identity.config import IdentitySettings, get_identity_settings
from sift.identity.invitations import endpoints as invitations
from sift.identity.keys import endpoints as keys
from sift.identity.mfa import endpoints as mfa
from sift.identity.mfa import factor as mfa_factor
from sift.identity.oauth import endpoints as oauth
from sift.identity.oauth.providers import ProviderRegistry
from sift.identity.orgs import endpoints as orgs
from sift.identity.privacy import endpoints as privacy
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
        mfa_factor.install(app, context)
        app.state.oauth_providers = ProviderRegistry(context.config.oauth)
        try:
            yield
        finally:
            await app.state.oauth_providers.aclose()
            mfa_factor.uninstall(app)

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
            mfa.router,
            apikeys.router,
            apikeys.exchange,
            oauth.router,
            privacy.internal_router,
        ],
        lifespan=lifespan,
        description="Accounts, organizations, sessions and access tokens.",
    )
    app.state.identity = context
    return app
