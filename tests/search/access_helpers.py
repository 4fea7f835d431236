"""Helpers of the access and saved-search tests: events as the documents service sends them,
applied by the search consumer group's real handlers, and principals of each role."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope, EventPayload
from sift.core.auth import Principal, PrincipalKind, Role, permissions_for
from sift.core.auth.permissions import USER_ONLY_PERMISSIONS
from sift.core.db import Database
from sift.search.consumers import consumer

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ACCESS_TABLES = (
    "search.collections",
    "search.collection_grants",
    "search.documents",
    "search.access_tombstones",
    "search.org_index_versions",
    "search.saved_search_matches",
    "search.saved_searches",
    "search.query_log",
)


def at(seconds: float) -> datetime:
    """An event time, `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


def envelope(
    payload: EventPayload, org_id: uuid.UUID, when: datetime, producer: str = "documents"
) -> EventEnvelope:
    return EventEnvelope.wrap(
        payload, producer=producer, org_id=org_id, actor_id=uuid.uuid4(), occurred_at=when
    )


async def apply(session: AsyncSession, *envelopes: EventEnvelope) -> None:
    """Each event through the handler the search consumer group registered for its type."""
    for wrapped in envelopes:
        handler = consumer.handler_for(wrapped.type)
        assert handler is not None, f"search does not handle {wrapped.type}"
        await handler(session, wrapped)
    await session.flush()


def principal(
    role: str, org_id: uuid.UUID, user_id: uuid.UUID | None = None, *, api_key: bool = False
) -> Principal:
    permissions = permissions_for(role)
    if api_key:
        permissions = permissions - USER_ONLY_PERMISSIONS
    return Principal(
        user_id=user_id or uuid.uuid4(),
        org_id=org_id,
        role=Role(role),
        permissions=permissions,
        token_id=uuid.uuid4().hex,
        kind=PrincipalKind.api_key if api_key else PrincipalKind.user,
        api_key_id=uuid.uuid4() if api_key else None,
    )


async def truncate_access(database: Database) -> None:
    """For tests whose work really commits (the consumer has its own connections)."""
    async with database.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {', '.join(ACCESS_TABLES)}"))
