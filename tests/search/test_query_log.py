"""The query log: what the search endpoint records, and its retention purge."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.config import CoreSettings
from sift.search.models import QueryLog
from sift.search.querylog import MAX_LOGGED_QUERY, log_query, purge_query_log
from tests.search.access_helpers import principal

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


async def test_each_search_is_logged_with_its_outcome(session: AsyncSession) -> None:
    caller = principal("viewer", uuid.uuid4())
    await log_query(
        session, caller, query="quarterly revenue", mode="hybrid", result_count=7, took_ms=42
    )
    await log_query(session, caller, query="x" * 5000, mode="fulltext", result_count=0, took_ms=3)
    await session.flush()

    rows = list(
        await session.scalars(
            select(QueryLog).where(QueryLog.org_id == caller.org_id).order_by(QueryLog.id)
        )
    )
    assert [(r.query[:17], r.mode, r.result_count, r.zero_result, r.took_ms) for r in rows] == [
        ("quarterly revenue", "hybrid", 7, False, 42),
        ("x" * 17, "fulltext", 0, True, 3),
    ]
    assert all(r.user_id == caller.user_id for r in rows)
    assert len(rows[1].query) == MAX_LOGGED_QUERY


@pytest.fixture
def sync_engine(base_settings: CoreSettings) -> Iterator[Engine]:
    engine = create_engine(base_settings.sync_sqlalchemy_url, pool_size=2)
    yield engine
    engine.dispose()


def test_the_purge_removes_only_entries_past_retention(sync_engine: Engine) -> None:
    org = uuid.uuid4()
    ages = [45, 40, 31, 30.5, 29, 1, 0]  # days

    def row(days: float) -> dict[str, object]:
        return {
            "id": uuid.uuid4(),
            "org_id": org,
            "user_id": uuid.uuid4(),
            "query": f"{days} days ago",
            "mode": "hybrid",
            "result_count": 1,
            "zero_result": False,
            "took_ms": 5,
            "created_at": NOW - timedelta(days=days),
        }

    with sync_engine.begin() as connection:
        connection.execute(insert(QueryLog), [row(days) for days in ages])
    try:
        # A small batch: the purge loops until a batch comes back short.
        purged = purge_query_log(sync_engine, older_than=timedelta(days=30), batch_size=2, now=NOW)

        assert purged == 4
        with sync_engine.connect() as connection:
            kept = connection.scalars(
                select(QueryLog.query).where(QueryLog.org_id == org).order_by(QueryLog.created_at)
            ).all()
        assert kept == ["29 days ago", "1 days ago", "0 days ago"]
        assert purge_query_log(sync_engine, older_than=timedelta(days=30), now=NOW) == 0
    finally:
        with sync_engine.begin() as connection:
            connection.execute(delete(QueryLog).where(QueryLog.org_id == org))
