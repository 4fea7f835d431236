"""The in-app tests' fixtures (`inbox`, `signing_key`): the real app with real commits,
callers with real tokens, and events sent through the real outbox, relay and consumer
group. Test modules import the fixtures they use (kept apart from `conftest.py`, which the
e-mail tests share)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import text

from sift.audit.models import OutboxEvent as AuditOutbox
from sift.contracts.events import EventEnvelope, EventPayload
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.handling import ConsumeStats
from sift.core.events.outbox import publish
from sift.core.events.relay import relay_once
from sift.core.events.runner import consume_once
from sift.core.events.tables import OutboxMixin
from sift.core.tasks import celery_app, configure_celery, task_settings
from sift.documents.models import OutboxEvent as DocumentsOutbox
from sift.identity.models import OutboxEvent as IdentityOutbox
from sift.notifications.app import create_app
from sift.notifications.config import NotificationsSettings
from sift.notifications.inapp import fanout
from sift.runtime.consumers import discover_consumers
from sift.search.models import OutboxEvent as SearchOutbox
from tests.core.auth.conftest import SigningKey, claims_for, ed25519_key
from tests.documents.conftest import StaticKeys


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    org_id: uuid.UUID
    headers: dict[str, str]


class Inbox:
    """The notifications app (real commits), callers with real tokens, and events sent the
    way services send them: committed to the producer's outbox, relayed to the stream, read
    by the notifications consumer group."""

    def __init__(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        key: SigningKey,
        settings: CoreSettings,
        database: Database,
        redis: Redis,
    ) -> None:
        self.app, self.client, self.key = app, client, key
        self.settings, self.database, self.redis = settings, database, redis
        self.org_id = uuid.uuid4()

    def caller(
        self,
        user_id: uuid.UUID | None = None,
        *,
        org_id: uuid.UUID | None = None,
        expires_in: int = 600,
    ) -> Caller:
        user_id, org_id = user_id or uuid.uuid4(), org_id or self.org_id
        claims = claims_for(
            self.settings,
            role="viewer",
            sub=str(user_id),
            org=str(org_id),
            exp=int(time.time()) + expires_in,
        )
        return Caller(user_id, org_id, {"Authorization": f"Bearer {self.key.sign(claims)}"})

    async def publish(
        self, payload: EventPayload, *, producer: str = "documents", **envelope: Any
    ) -> EventEnvelope:
        """Commits `payload` to `producer`'s outbox, as that service would."""
        async with self.database.sessionmaker() as session, session.begin():
            return await publish(
                session, OUTBOXES[producer], payload, producer=producer, **envelope
            )

    async def relay(self) -> None:
        """Every committed event to the stream, as `sift relay` does."""
        while await relay_once(self.database, self.redis, self.settings, schemas=list(OUTBOXES)):
            pass

    async def deliver(self) -> ConsumeStats:
        """Relays every committed event to the stream and lets the group apply them."""
        await self.relay()
        stats = await consume_once(
            consumer,
            database=self.database,
            redis=self.redis,
            settings=self.settings,
            name="test-notifications",
        )
        await fanout.flush()
        return stats

    async def items(self, caller: Caller, **params: Any) -> list[dict[str, Any]]:
        answer = await self.client.get("/api/notifications", headers=caller.headers, params=params)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    async def unread(self, caller: Caller) -> int:
        answer = await self.client.get("/api/notifications/unread-count", headers=caller.headers)
        assert answer.status_code == 200, answer.text
        count: int = answer.json()["count"]
        return count


# The group as `sift consume notifications` loads it: every channel's handlers registered.
[consumer] = discover_consumers("notifications")

OUTBOXES: dict[str, type[OutboxMixin]] = {
    "documents": DocumentsOutbox,
    "search": SearchOutbox,
    "identity": IdentityOutbox,
    "audit": AuditOutbox,
}


async def _truncate(database: Database) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(
            text(
                "TRUNCATE notifications.notifications, notifications.document_uploads, "
                "notifications.known_sign_ins"
            )
        )


async def empty_preferences_and_deliveries(database: Database) -> None:
    """Preferences, recipients' settings, deliveries and their attempts emptied (tests that
    really commit, with the inbox)."""
    async with database.engine.begin() as connection:
        await connection.execute(
            text(
                "TRUNCATE notifications.notification_preferences, "
                "notifications.recipient_settings, notifications.deliveries, "
                "notifications.delivery_attempts"
            )
        )


def notifications_app(settings: CoreSettings, key: SigningKey, **config: Any) -> FastAPI:
    app = create_app(settings, config=NotificationsSettings(**config))
    verifier = TokenVerifier(StaticKeys(key), issuer=settings.public_url, config=AuthSettings())
    Authenticator.install(app, Authenticator(verifier))
    return app


@pytest.fixture
def signing_key() -> SigningKey:
    return ed25519_key()


@pytest.fixture
async def inbox(
    settings: CoreSettings,
    database: Database,
    redis: Redis,
    signing_key: SigningKey,
    clean_outboxes: None,
) -> AsyncIterator[Inbox]:
    """Really commits (the consumer has its own connections); tables emptied before and after."""
    await _truncate(database)
    fanout.use_settings(settings)
    # As `sift consume` does: the e-mail channel's tasks go to this test's own Redis
    # prefix, not to the test worker. The app caches its producer pool with the prefix of
    # its first use, so it is set aside here and put back after (the worker's retries go
    # through it: a new one left in its place lost them).
    previous, producers = task_settings(), celery_app.amqp._producer_pool  # type: ignore[attr-defined]
    configure_celery(settings)
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]
    app = notifications_app(settings, signing_key)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as client:
                yield Inbox(app, client, signing_key, settings, database, redis)
    finally:
        await fanout.flush()
        await fanout.close_process_bus()
        fanout.use_settings(None)
        await _truncate(database)
        configure_celery(previous)
        celery_app.amqp._producer_pool = producers  # type: ignore[attr-defined]
