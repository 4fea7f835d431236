"""The assistant app over ASGI, retrieving from the REAL search app in process (its internal
endpoint, the caller's token forwarded), on documents indexed by the real pipeline."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from sift.assistant.app import create_app
from sift.assistant.config import AssistantSettings
from sift.assistant.models import OutboxEvent
from sift.assistant.providers.base import Provider
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.db import Database
from tests.core.auth.conftest import claims_for
from tests.search.conftest import (
    clean_index,
    embedder,
    ingest,
    ingest_settings,
    ingest_thread,
)
from tests.search.retrieval_helpers import StaticKeys, World, world

__all__ = ["clean_index", "embedder", "ingest", "ingest_settings", "ingest_thread", "world"]

ENGINE = (
    "The Zephyr engine uses liquid cooling. It was designed in 1998 by Ada Works. "
    "The Zephyr engine weighs 120 kg and needs maintenance every 500 hours."
)
# A key that reads, searches and asks, but does not manage collections: it reads only what
# its creator's grants and the collections' visibility allow, whatever its creator's role.
KEY_PERMISSIONS = ("documents:read", "search:read", "assistant:ask")
SOLAR = "Solar panels convert sunlight into electricity. Panels lose efficiency when hot."


@dataclass
class Assistant:
    app: FastAPI
    client: httpx.AsyncClient
    world: World
    database: Database

    def headers(self, role: str = "viewer", user_id: uuid.UUID | None = None) -> dict[str, str]:
        return self.world.headers(role, user_id)

    def key_headers(
        self,
        creator: uuid.UUID,
        key_id: uuid.UUID | None,
        *,
        role: str = "admin",
        permissions: tuple[str, ...] = KEY_PERMISSIONS,
    ) -> dict[str, str]:
        """An API key's access token as identity issues it: the creator as `sub`, the
        creator's role, the key's permissions and its ID (`akid`)."""
        claims = claims_for(
            self.world.settings,
            role=role,
            sub=str(creator),
            org=str(self.world.org_id),
            kind="api_key",
            perms=list(permissions),
            akid=str(key_id) if key_id else None,
            sid=None,
        )
        return {"Authorization": f"Bearer {self.world.key.sign(claims)}"}

    async def ask(self, headers: dict[str, str], question: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            "/api/assistant/ask", headers=headers, json={"question": question, **body}
        )

    async def answer(self, headers: dict[str, str], question: str, **body: Any) -> dict[str, Any]:
        response = await self.ask(headers, question, **body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def events(self, event_type: str = "assistant.answered") -> list[dict[str, Any]]:
        async with self.database.sessionmaker() as session:
            rows = await session.execute(
                select(OutboxEvent.envelope)
                .where(OutboxEvent.type == event_type)
                .order_by(OutboxEvent.position)
            )
            return list(rows.scalars())

    async def usage(self, user_id: uuid.UUID) -> tuple[int, int, int]:
        async with self.database.sessionmaker() as session:
            row = (
                await session.execute(
                    text(
                        "SELECT coalesce(sum(requests), 0), coalesce(sum(prompt_tokens), 0),"
                        " coalesce(sum(cost_usd), 0) * 1000000"
                        " FROM assistant.usage_daily WHERE user_id = :user"
                    ),
                    {"user": user_id},
                )
            ).one()
            return int(row[0]), int(row[1]), int(row[2])


def parse_sse(body: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of an SSE body; pings (comments) left out."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


AssistantFactory = Callable[..., AbstractAsyncContextManager[Assistant]]


def local_config(**overrides: Any) -> AssistantSettings:
    values: dict[str, Any] = {
        "providers": ["local"],
        "user_rate_limit": "1000/minute",
        "org_rate_limit": "100000/day",
    }
    return AssistantSettings(**{**values, **overrides})


@pytest.fixture
def assistant_factory(world: World, database: Database) -> AssistantFactory:
    @asynccontextmanager
    async def factory(
        *,
        config: AssistantSettings | None = None,
        providers: list[Provider] | None = None,
        search_reachable: bool = True,
    ) -> AsyncIterator[Assistant]:
        app = create_app(
            world.settings,
            config=config or local_config(),
            providers=providers,
            # Unreachable: the configured URL (a closed port) over the real network.
            search_transport=httpx.ASGITransport(app=world.app) if search_reachable else None,
        )
        verifier = TokenVerifier(
            StaticKeys(world.key), issuer=world.settings.public_url, config=AuthSettings()
        )
        Authenticator.install(app, Authenticator(verifier))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver", timeout=30
            ) as client:
                yield Assistant(app, client, world, database)

    return factory


@pytest.fixture
async def assistant(assistant_factory: AssistantFactory) -> AsyncIterator[Assistant]:
    async with assistant_factory() as running:
        yield running
