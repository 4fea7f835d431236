"""Backlog gauges read at scrape time: what waits shows even when its worker is dead."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.core.backlog_metrics import backup_key
from sift.core.config import CoreSettings
from sift.core.events.bus import dead_letter_key
from tests.conftest import ClientFactory


def sample(metrics: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", metrics, re.MULTILINE)
    assert match, f"{name} not in:\n{metrics}"
    return float(match.group(1))


async def test_an_empty_service_reports_no_backlog(service_client: ClientFactory) -> None:
    async with service_client("search") as client:
        metrics = (await client.get("/metrics")).text
    assert sample(metrics, "sift_ingest_backlog_documents") == 0
    assert sample(metrics, "sift_ingest_backlog_oldest_age_seconds") == 0
    assert sample(metrics, 'sift_outbox_unpublished_events{service="search"}') == 0
    assert sample(metrics, 'sift_task_queue_depth{queue="ingest"}') == 0
    assert sample(metrics, "sift_backup_last_success_timestamp_seconds") == 0


async def test_waiting_versions_outbox_rows_tasks_and_dead_letters_are_counted(
    service_client: ClientFactory,
    db_connection: AsyncConnection,
    redis: Redis,
    settings: CoreSettings,
) -> None:
    ten_minutes_ago = datetime.now(UTC) - timedelta(minutes=10)
    for status in ("queued", "processing", "indexed"):
        document_id = uuid.uuid4()
        await db_connection.execute(
            text(
                "INSERT INTO search.documents_index (version_id, document_id, org_id,"
                " collection_id, status, storage_key, content_type, announced_at, queued_at)"
                " VALUES (:v, :d, :o, :c, :s, 'k', 'text/plain', :t, :t)"
            ),
            {
                "v": uuid.uuid4(),
                "d": document_id,
                "o": uuid.uuid4(),
                "c": uuid.uuid4(),
                "s": status,
                "t": ten_minutes_ago,
            },
        )
    await db_connection.execute(
        text(
            "INSERT INTO search.outbox (id, type, version, envelope, created_at)"
            " VALUES (:id, 'document.indexed', 1, '{}', :t)"
        ),
        {"id": uuid.uuid4(), "t": ten_minutes_ago},
    )
    await redis.rpush(settings.redis_key("ingest"), "task-1", "task-2")
    await redis.xadd(dead_letter_key(settings), {"id": "e1"})
    finished = time.time() - 3600
    await redis.set(backup_key(settings), str(finished))

    async with service_client("search") as client:
        metrics = (await client.get("/metrics")).text

    assert sample(metrics, "sift_ingest_backlog_documents") == 2  # not the indexed one
    assert sample(metrics, "sift_ingest_backlog_oldest_age_seconds") >= 600
    assert sample(metrics, 'sift_outbox_unpublished_events{service="search"}') == 1
    assert sample(metrics, 'sift_outbox_oldest_unpublished_age_seconds{service="search"}') >= 600
    assert sample(metrics, 'sift_task_queue_depth{queue="ingest"}') == 2
    assert sample(metrics, 'sift_dead_letter_stream_length{stream="events"}') == 1
    assert sample(metrics, 'sift_dead_letter_stream_length{stream="tasks"}') == 0
    assert sample(metrics, "sift_backup_last_success_timestamp_seconds") == finished


async def test_a_failing_gauge_leaves_the_scrape_answering(
    service_client: ClientFactory, settings: CoreSettings
) -> None:
    # Redis unreachable: the backlog gauges cannot be read, the request metrics still are.
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with service_client("documents", app_settings=broken) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert "sift_http_requests_total" in response.text or "sift_http_request" in response.text


async def test_the_data_directorys_file_system_is_reported(service_client: ClientFactory) -> None:
    async with service_client("identity") as client:
        metrics = (await client.get("/metrics")).text
    size = sample(metrics, 'sift_data_dir_filesystem_bytes{kind="size"}')
    available = sample(metrics, 'sift_data_dir_filesystem_bytes{kind="available"}')
    assert 0 < available <= size
