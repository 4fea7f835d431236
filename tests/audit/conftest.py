"""Fixtures of the audit tests: the audit app with tokens from a test key, events made as
services make them, and the audit log's consumer group on the real stream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.audit.app import create_app
from sift.contracts.events import EventContext, EventEnvelope, EventPayload
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from tests.conftest import TransactionalDatabase
from tests.core.auth.conftest import SigningKey, claims_for, ed25519_key
from tests.documents.conftest import Caller, StaticKeys


def envelope(
    payload: EventPayload,
    *,
    org_id: uuid.UUID | None,
    actor_id: uuid.UUID | None = None,
    producer: str = "identity",
    ip: str | None = None,
    user_agent: str | None = None,
) -> EventEnvelope:
    """An event as a service's outbox makes it (with its request's origin if given)."""
    context = EventContext(ip=ip, user_agent=user_agent) if ip or user_agent else None
    return EventEnvelope.wrap(
        payload, producer=producer, org_id=org_id, actor_id=actor_id, context=context
    )


@dataclass
class AuditApi:
    client: httpx.AsyncClient
    key: SigningKey
    settings: CoreSettings
    org_id: uuid.UUID

    def caller(
        self,
        role: str = "admin",
        *,
        org_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
    ) -> Caller:
        user_id, org_id = user_id or uuid.uuid4(), org_id or self.org_id
        claims = claims_for(self.settings, role=role, sub=str(user_id), org=str(org_id))
        return Caller(self.key.sign(claims), user_id, org_id, role)

    async def events(self, caller: Caller, **params: Any) -> dict[str, Any]:
        answer = await self.client.get("/api/audit/events", headers=caller.headers, params=params)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture
async def api(
    settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> AsyncIterator[AuditApi]:
    """The audit app over ASGI, its database work in the test's transaction."""
    app = create_app(settings)
    key = ed25519_key()
    verifier = TokenVerifier(StaticKeys(key), issuer=settings.public_url, config=AuthSettings())
    Authenticator.install(app, Authenticator(verifier))
    async with app.router.lifespan_context(app):
        await app.state.database.dispose()
        app.state.database = TransactionalDatabase(db_connection, database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield AuditApi(client, key, settings, uuid.uuid4())
