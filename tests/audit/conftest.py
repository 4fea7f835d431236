"""Fixtures of the audit tests: the audit app with tokens from a test key, events made as
services make them, and the audit log's consumer group on the real stream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.audit.app import create_app
from sift.contracts.events import EventContext, EventEnvelope, EventPayload
from sift.core.config import CoreSettings
from sift.core.db import Database
from tests.app_client import SignedApi, started_with_test_key
from tests.documents.conftest import Caller


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
class AuditApi(SignedApi):
    """Callers in the test's organization unless told."""

    org_id: uuid.UUID

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
    async with started_with_test_key(app, settings, db_connection, database) as (client, key):
        yield AuditApi(app, client, key, settings, org_id=uuid.uuid4())
