"""A service's app over ASGI for its tests: its database work in the test's transaction
(rolled back after), tokens signed by a key of the test's own, and callers holding them
(`SignedApi`, which a service's API fixture extends).

The shared part of the services' API fixtures (`tests/audit/conftest.py`,
`tests/notifications/conftest.py`, `tests/search/saved_helpers.py`) and of the whole-API
sweeps (`tests/every_service.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import ClassVar

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from tests.conftest import TransactionalDatabase
from tests.core.auth.conftest import SigningKey, claims_for, ed25519_key
from tests.documents.conftest import Caller, StaticKeys


@asynccontextmanager
async def started(
    app: FastAPI, db_connection: AsyncConnection, database: Database
) -> AsyncIterator[httpx.AsyncClient]:
    """The app through its lifespan, with a client; its database is the test's transaction."""
    async with app.router.lifespan_context(app):
        await app.state.database.dispose()
        app.state.database = TransactionalDatabase(db_connection, database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@asynccontextmanager
async def started_with_test_key(
    app: FastAPI, settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> AsyncIterator[tuple[httpx.AsyncClient, SigningKey]]:
    """`started`, the app accepting the tokens a new test key signs (given with the client)."""
    key = ed25519_key()
    verifier = TokenVerifier(StaticKeys(key), issuer=settings.public_url, config=AuthSettings())
    Authenticator.install(app, Authenticator(verifier))
    async with started(app, db_connection, database) as client:
        yield client, key


@dataclass
class SignedApi:
    """A started app's client, and callers with tokens it accepts: in `org_id`, or without
    one in a new organization each."""

    app: FastAPI
    client: httpx.AsyncClient
    key: SigningKey
    settings: CoreSettings
    org_id: uuid.UUID | None = None
    default_role: ClassVar[str] = "admin"

    def caller(
        self,
        role: str | None = None,
        *,
        org_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
    ) -> Caller:
        """Someone with a token the app accepts (a new user unless given)."""
        role, user_id = role or self.default_role, user_id or uuid.uuid4()
        org_id = org_id or self.org_id or uuid.uuid4()
        claims = claims_for(self.settings, role=role, sub=str(user_id), org=str(org_id))
        return Caller(self.key.sign(claims), user_id, org_id, role)
