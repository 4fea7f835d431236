"""The search service's scheduled jobs, run as the scheduler runs them (in its job context)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery.signals import after_task_publish
from sqlalchemy import Engine, create_engine, delete, insert, select

from sift.core.config import CoreSettings
from sift.runtime.scheduler import job_context_for
from sift.search.config import get_search_settings
from sift.search.jobs import purge_query_log_job, reembed_stale_job
from sift.search.models import QueryLog


@pytest.fixture
def sync_engine(base_settings: CoreSettings) -> Iterator[Engine]:
    engine = create_engine(base_settings.sync_sqlalchemy_url, pool_size=1)
    yield engine
    engine.dispose()


def test_the_query_log_job_keeps_the_configured_retention(
    sync_engine: Engine, base_settings: CoreSettings
) -> None:
    org = uuid.uuid4()
    retention = get_search_settings().query_log_retention_days
    now = datetime.now(UTC)

    def row(age: timedelta, query: str) -> dict[str, object]:
        return {
            "id": uuid.uuid4(),
            "org_id": org,
            "user_id": uuid.uuid4(),
            "query": query,
            "mode": "hybrid",
            "result_count": 0,
            "zero_result": True,
            "took_ms": 1,
            "created_at": now - age,
        }

    with sync_engine.begin() as connection:
        connection.execute(
            insert(QueryLog),
            [row(timedelta(days=retention, hours=1), "old"), row(timedelta(hours=1), "new")],
        )
    try:
        with job_context_for(base_settings, sync_engine):
            purge_query_log_job()
        with sync_engine.connect() as connection:
            kept = connection.scalars(select(QueryLog.query).where(QueryLog.org_id == org)).all()
        assert kept == ["new"]
    finally:
        with sync_engine.begin() as connection:
            connection.execute(delete(QueryLog).where(QueryLog.org_id == org))


def test_the_reembed_job_asks_an_ingest_worker(sync_engine: Engine, settings: CoreSettings) -> None:
    # Observed at publishing: a worker of another test module may still run in this process
    # and take the message off the queue before the test could read it there.
    published: list[tuple[str, str]] = []

    def record(sender: str, routing_key: str, **_: Any) -> None:
        published.append((sender, routing_key))

    after_task_publish.connect(record, weak=False)
    try:
        with job_context_for(settings, sync_engine):
            reembed_stale_job()
    finally:
        after_task_publish.disconnect(record)
    assert published == [("search.ingest.reembed_stale", "ingest")]
