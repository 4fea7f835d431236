"""Service apps that verify tokens against identity's real JWKS, reached in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.core.app import create_service_app
from sift.core.auth import Authenticator, Authorize, Principal, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.auth.jwks import JwksKeySource
from sift.core.config import CoreSettings
from sift.core.db import Database
from tests.conftest import TransactionalDatabase


def verify_with_identity(app: FastAPI, identity_app: FastAPI) -> Authenticator:
    """Installs on a started `app` the default authenticator, its JWKS fetched from
    `identity_app` over ASGI instead of the network."""
    settings = app.state.settings
    config = AuthSettings()
    keys = JwksKeySource(
        app.state.redis, settings, config, transport=httpx.ASGITransport(app=identity_app)
    )
    verifier = TokenVerifier(keys, issuer=config.issuer_for(settings), config=config)
    return Authenticator.install(app, Authenticator(verifier))


probe = APIRouter(prefix="/api/probe", tags=["probe"])


@probe.get("")
async def whoami(
    principal: Annotated[Principal, Depends(Authorize("org:read"))],
) -> dict[str, str]:
    return {"user": str(principal.user_id), "role": principal.role}


@asynccontextmanager
async def probe_service(
    settings: CoreSettings, identity_app: FastAPI
) -> AsyncIterator[httpx.AsyncClient]:
    """A bare service (core only) whose `GET /api/probe` answers whether a token passes."""
    app = create_service_app("probe", routers=[probe], settings=settings)
    async with app.router.lifespan_context(app):
        verify_with_identity(app, identity_app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
            yield client


@asynccontextmanager
async def service_verifying_with_identity(
    app: FastAPI, identity_app: FastAPI, connection: AsyncConnection, database: Database
) -> AsyncIterator[httpx.AsyncClient]:
    """A started service `app` in the test's transaction, verifying tokens against identity."""
    async with app.router.lifespan_context(app):
        await app.state.database.dispose()
        app.state.database = TransactionalDatabase(connection, database)
        verify_with_identity(app, identity_app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
