"""The query log: what was searched, how it went, for analytics and zero-result tuning.

Rows hold the query text (personal data, possibly): they are purged after
`SIFT_SEARCH_QUERY_LOG_RETENTION_DAYS` by the scheduler's `search.purge_query_log` job.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import SearchModeName, SearchPerformed, normalized_query
from sift.core.auth import Principal
from sift.core.db import new_id
from sift.core.scheduling import purge_in_batches
from sift.search.events import events
from sift.search.models import QueryLog

log = structlog.get_logger()

MAX_LOGGED_QUERY = 1000  # characters kept of a query


async def log_query(
    session: AsyncSession,
    principal: Principal,
    *,
    query: str,
    mode: str,
    result_count: int,
    took_ms: int,
) -> uuid.UUID:
    """Records one search in the caller's transaction (the request's unit of work), with its
    `search.performed` event (usage analytics); the row's ID is the search's `query_id`.

    The transaction then commits without waiting for its WAL to reach the disk: a crash may
    lose the last fraction of a second of log rows, never make them inconsistent, and no
    search waits on a flush for its analytics.
    """
    await session.execute(text("SET LOCAL synchronous_commit TO off"))
    query_id = new_id()
    session.add(
        QueryLog(
            id=query_id,
            org_id=principal.org_id,
            user_id=principal.user_id,
            query=query[:MAX_LOGGED_QUERY],
            mode=mode[:16],
            result_count=max(result_count, 0),
            zero_result=result_count <= 0,
            took_ms=max(took_ms, 0),
        )
    )
    await events.publish(
        session,
        SearchPerformed(
            query_id=query_id,
            user_id=principal.user_id,
            mode=SearchModeName(mode),
            result_count=max(result_count, 0),
            took_ms=max(took_ms, 0),
            query=normalized_query(query),
        ),
        org_id=principal.org_id,
        actor_id=principal.user_id,
        subject_id=query_id,
    )
    return query_id


async def logged_query(
    session: AsyncSession, org_id: uuid.UUID, query_id: uuid.UUID
) -> QueryLog | None:
    """A search of the organization still in the log (None once purged, or another org's)."""
    return await session.scalar(
        select(QueryLog).where(QueryLog.id == query_id, QueryLog.org_id == org_id)
    )


def purge_query_log(
    engine: Engine,
    *,
    older_than: timedelta,
    batch_size: int = 5_000,
    now: datetime | None = None,
) -> int:
    """Deletes entries logged before `now - older_than`, in small transactions."""
    cutoff = (now or datetime.now(UTC)) - older_than

    def build() -> Any:
        doomed = select(QueryLog.id).where(QueryLog.created_at < cutoff).limit(batch_size)
        return delete(QueryLog).where(QueryLog.id.in_(doomed.scalar_subquery()))

    total = purge_in_batches(engine, build, batch_size)
    log.info("search.query_log_purged", cutoff=cutoff.isoformat(), deleted=total)
    return total
