"""Usage analytics: events through the real outbox, relay and `audit.analytics` group, out
as series, tables and CSV; redelivery, back-fill from the audit log, permissions, bad input."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import select, text

from sift.assistant.models import OutboxEvent as AssistantOutbox
from sift.audit.analytics.backfill import backfill
from sift.audit.analytics.consumers import consumer as analytics_consumer
from sift.audit.analytics.jobs import prune_hours
from sift.audit.analytics.models import ActiveUser, Counter, QueryUse
from sift.audit.analytics.repository import CounterKey, rollup_repository
from sift.audit.log.consumers import consumer as log_consumer
from sift.audit.log.models import AuditEntry
from sift.audit.log.pseudonyms import person_keys
from sift.audit.log.service import audit_log_service
from sift.contracts.events import (
    AssistantAnswered,
    DocumentDeleted,
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentUploaded,
    EventPayload,
    FeedbackGiven,
    IndexFailureCode,
    SearchModeName,
    SearchPerformed,
    SearchResultClicked,
)
from sift.contracts.events.documents import DeletionReason
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.consumer import Consumer
from sift.core.events.handling import ConsumeStats
from sift.core.events.outbox import publish
from sift.core.events.relay import relay_once
from sift.core.events.runner import consume_once
from sift.documents.models import OutboxEvent as DocumentsOutbox
from sift.search.models import OutboxEvent as SearchOutbox
from tests.audit.conftest import AuditApi, envelope

OUTBOXES: dict[str, Any] = {
    "documents": DocumentsOutbox,
    "search": SearchOutbox,
    "assistant": AssistantOutbox,
}
SHA = "0" * 64


class Pipeline:
    def __init__(self, database: Database, redis: Redis, settings: CoreSettings) -> None:
        self.database, self.redis, self.settings = database, redis, settings

    async def publish(
        self, producer: str, payload: EventPayload, *, org_id: uuid.UUID, actor_id: uuid.UUID | None
    ) -> uuid.UUID:
        """Committed to the producer's outbox, as that service would."""
        async with self.database.sessionmaker() as session, session.begin():
            event = await publish(
                session,
                OUTBOXES[producer],
                payload,
                producer=producer,
                org_id=org_id,
                actor_id=actor_id,
            )
        return event.id

    async def deliver(self, group: Consumer = analytics_consumer) -> ConsumeStats:
        while await relay_once(self.database, self.redis, self.settings, schemas=list(OUTBOXES)):
            pass
        return await consume_once(
            group,
            database=self.database,
            redis=self.redis,
            settings=self.settings,
            name=f"test-{group.group}",
        )


@pytest.fixture
async def pipeline(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> AsyncIterator[Pipeline]:
    yield Pipeline(database, redis, settings)


def uploaded(document_id: uuid.UUID, size: int) -> DocumentUploaded:
    return DocumentUploaded(
        document_id=document_id,
        version_id=uuid.uuid4(),
        collection_id=uuid.uuid4(),
        filename="a.pdf",
        content_type="application/pdf",
        size_bytes=size,
        sha256=SHA,
        storage_key="k",
    )


def searched(user: uuid.UUID, query: str, results: int, mode: str = "hybrid") -> SearchPerformed:
    return SearchPerformed(
        query_id=uuid.uuid4(),
        user_id=user,
        mode=SearchModeName(mode),
        result_count=results,
        took_ms=20,
        query=query,
    )


async def a_day_of_activity(pipeline: Pipeline, org: uuid.UUID) -> list[uuid.UUID]:
    """Uploads, indexing, searches, a click, answers and feedback by four people."""
    alice, bob, carol, dan = (uuid.uuid4() for _ in range(4))
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    ids = [
        await pipeline.publish("documents", uploaded(kept, 50), org_id=org, actor_id=alice),
        await pipeline.publish("documents", uploaded(dropped, 100), org_id=org, actor_id=alice),
    ]
    doc = {"version_id": uuid.uuid4(), "collection_id": uuid.uuid4()}
    ids += [
        await pipeline.publish(
            "search",
            DocumentIndexed(
                document_id=kept, chunk_count=3, embedding_model="m", duration_ms=5, **doc
            ),
            org_id=org,
            actor_id=None,
        ),
        await pipeline.publish(
            "search",
            DocumentIndexFailed(
                document_id=dropped, code=IndexFailureCode.encrypted_pdf, reason="locked", **doc
            ),
            org_id=org,
            actor_id=None,
        ),
        await pipeline.publish(
            "documents",
            DocumentDeleted(
                document_id=dropped,
                collection_id=doc["collection_id"],
                reason=DeletionReason.user_request,
            ),
            org_id=org,
            actor_id=alice,
        ),
    ]
    for user, query, results in [
        (alice, "holiday policy", 2),
        (bob, "holiday policy", 2),
        (carol, "holiday policy", 0),
        (alice, "my salary", 0),
    ]:
        ids.append(
            await pipeline.publish(
                "search", searched(user, query, results), org_id=org, actor_id=user
            )
        )
    ids.append(
        await pipeline.publish(
            "search",
            searched(dan, "contract", 1, mode="fulltext"),
            org_id=org,
            actor_id=dan,
        )
    )
    ids.append(
        await pipeline.publish(
            "search",
            SearchResultClicked(
                query_id=uuid.uuid4(), user_id=bob, document_id=kept, chunk_id=None, rank=1
            ),
            org_id=org,
            actor_id=bob,
        )
    )
    message = uuid.uuid4()
    for latency, failover, provider in [(1200, True, "openai"), (400, False, "gemini")]:
        ids.append(
            await pipeline.publish(
                "assistant",
                AssistantAnswered(
                    message_id=uuid.uuid4(),
                    user_id=carol,
                    provider=provider,
                    model=f"{provider}-model",
                    latency_ms=latency,
                    prompt_tokens=1000,
                    completion_tokens=100,
                    cost_usd=0.0025,
                    failover=failover,
                ),
                org_id=org,
                actor_id=carol,
            )
        )
    ids.append(
        await pipeline.publish(
            "assistant",
            FeedbackGiven(message_id=message, user_id=carol, rating="up"),
            org_id=org,
            actor_id=carol,
        )
    )
    ids.append(
        await pipeline.publish(
            "assistant",
            FeedbackGiven(message_id=message, user_id=carol, rating="down", previous_rating="up"),
            org_id=org,
            actor_id=carol,
        )
    )
    return ids


async def get(api: AuditApi, path: str, org: uuid.UUID, **params: Any) -> dict[str, Any]:
    caller = api.caller("admin", org_id=org)
    answer = await api.client.get(path, headers=caller.headers, params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def today(series: list[dict[str, Any]]) -> float:
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    values = [point["value"] for point in series if datetime.fromisoformat(point["t"]) == day]
    assert len(values) == 1, series
    return float(values[0])


async def test_events_in_series_and_tables_out(pipeline: Pipeline, api: AuditApi) -> None:
    org = uuid.uuid4()
    events = await a_day_of_activity(pipeline, org)
    stats = await pipeline.deliver()
    assert stats.applied == len(events)

    overview = (await get(api, "/api/analytics/overview", org))["series"]
    assert len(overview["uploads"]) == 31  # 30 days back, zero-filled, today included
    expected = {
        "active_users": 4,
        "uploads": 2,
        "indexed": 1,
        "failed": 1,
        "searches": 5,
        "zero_result_rate": 0.4,
        "answers": 2,
        "failovers": 1,
        "cost": 0.005,
    }
    assert {name: today(points) for name, points in overview.items()} == expected

    search = await get(api, "/api/analytics/search", org)
    assert today(search["series"]["clicks"]) == 1
    assert today(search["series"]["fulltext"]) == 1
    assert search["modes"] == [
        {"mode": "hybrid", "searches": 4, "zero_results": 2},
        {"mode": "fulltext", "searches": 1, "zero_results": 0},
    ]
    # Three people searched "holiday policy"; one person's own searches never show.
    assert search["top_queries"] == [
        {"query": "holiday policy", "searches": 3, "users": 3, "zero_results": 1}
    ]

    assistant = await get(api, "/api/analytics/assistant", org)
    assert {(p["provider"], p["answers"], p["failovers"]) for p in assistant["providers"]} == {
        ("openai", 1, 1),
        ("gemini", 1, 0),
    }
    assert assistant["latency"] == {"p50_ms": 500, "p95_ms": 1500}
    assert assistant["feedback"] == {"up": 0, "down": 1, "up_ratio": 0.0}
    assert today(assistant["series"]["prompt_tokens"]) == 2000

    ingestion = await get(api, "/api/analytics/ingestion", org)
    assert ingestion["failure_reasons"] == [{"code": "encrypted_pdf", "count": 1}]
    assert ingestion["storage_bytes"] == 50  # the deleted document's bytes are freed
    assert today(ingestion["series"]["storage_bytes"]) == 50

    users = await get(api, "/api/analytics/users", org)
    assert users["active_users"] == 4
    assert today(users["series"]["weekly_active_users"]) == 4

    hourly = await get(api, "/api/analytics/overview", org, interval="hour")
    assert sum(point["value"] for point in hourly["series"]["searches"]) == 5


async def test_a_redelivered_event_counts_once(
    pipeline: Pipeline, api: AuditApi, redis: Redis, settings: CoreSettings
) -> None:
    org, user = uuid.uuid4(), uuid.uuid4()
    await pipeline.publish("search", searched(user, "q", 0), org_id=org, actor_id=user)
    assert (await pipeline.deliver()).applied == 1
    stream = settings.redis_key(settings.events.stream)
    messages = await redis.xrange(stream)
    await redis.xadd(stream, messages[-1][1])
    stats = await pipeline.deliver()
    assert (stats.applied, stats.duplicates) == (0, 1)
    overview = (await get(api, "/api/analytics/overview", org))["series"]
    assert today(overview["searches"]) == 1


async def test_an_organization_without_activity_has_empty_series(api: AuditApi) -> None:
    org = uuid.uuid4()
    overview = await get(api, "/api/analytics/overview", org)
    assert all(points == [] for points in overview["series"].values())
    search = await get(api, "/api/analytics/search", org)
    assert search["top_queries"] == [] and search["modes"] == []
    answer = await api.client.get(
        "/api/analytics/users/export", headers=api.caller(org_id=org).headers
    )
    assert answer.text.strip() == "t,active_users,weekly_active_users"


@pytest.mark.parametrize("area", ["overview", "search", "assistant", "ingestion", "users"])
async def test_csv_exports_carry_the_json_numbers(
    pipeline: Pipeline, api: AuditApi, area: str
) -> None:
    org = uuid.uuid4()
    await a_day_of_activity(pipeline, org)
    await pipeline.deliver()
    body = await get(api, f"/api/analytics/{area}", org)
    answer = await api.client.get(
        f"/api/analytics/{area}/export",
        headers=api.caller(org_id=org).headers,
        params={"format": "csv"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 31
    for name, points in body["series"].items():
        assert [float(row[name]) for row in rows] == [float(p["value"]) for p in points]
        assert [row["t"] for row in rows] == [
            datetime.fromisoformat(p["t"]).isoformat() for p in points
        ]


async def test_backfill_from_the_audit_log_counts_what_the_consumer_did_not(
    pipeline: Pipeline, api: AuditApi, database: Database
) -> None:
    live, old = uuid.uuid4(), uuid.uuid4()
    user = uuid.uuid4()
    # Applied live, and recorded by the audit log: the back-fill must not count it again.
    await pipeline.publish("search", searched(user, "q", 1), org_id=live, actor_id=user)
    await pipeline.deliver()
    await pipeline.deliver(log_consumer)
    async with database.sessionmaker() as session:
        (recorded,) = await session.scalars(select(AuditEntry).where(AuditEntry.org_id == live))
        assert recorded.action == "search.performed" and "query" not in recorded.data
    # Only in the audit log (the stream trimmed it before the roll-ups existed).
    yesterday = datetime.now(UTC) - timedelta(days=1)
    async with database.sessionmaker() as session, session.begin():
        for payload in [uploaded(uuid.uuid4(), 10), searched(user, "q", 0)]:
            event = envelope(payload, org_id=old, actor_id=user, producer="search")
            await audit_log_service.append(
                session, event.model_copy(update={"occurred_at": yesterday})
            )
        await session.execute(text("DELETE FROM audit.analytics_backfills"))

    assert await backfill(database, batch=2) is not None
    assert await backfill(database) is None  # once

    series = (await get(api, "/api/analytics/overview", live))["series"]
    assert today(series["searches"]) == 1
    old_series = (await get(api, "/api/analytics/overview", old))["series"]
    day = (yesterday.replace(hour=0, minute=0, second=0, microsecond=0)).isoformat()
    by_day = {name: {p["t"]: p["value"] for p in points} for name, points in old_series.items()}
    assert {name: values[day.replace("+00:00", "Z")] for name, values in by_day.items()} == {
        "active_users": 1,
        "uploads": 1,
        "indexed": 0,
        "failed": 0,
        "searches": 1,
        "zero_result_rate": 1.0,
        "answers": 0,
        "failovers": 0,
        "cost": 0,
    }


@pytest.mark.parametrize("role", ["viewer", "editor"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/analytics/overview",
        "/api/analytics/search",
        "/api/analytics/assistant",
        "/api/analytics/ingestion",
        "/api/analytics/users",
        "/api/analytics/search/export",
    ],
)
async def test_members_who_are_not_admins_are_refused(api: AuditApi, role: str, path: str) -> None:
    answer = await api.client.get(path, headers=api.caller(role).headers)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_owners_may_read(api: AuditApi) -> None:
    answer = await api.client.get("/api/analytics/overview", headers=api.caller("owner").headers)
    assert answer.status_code == 200


NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "params",
    [
        {"from": (NOW - timedelta(days=401)).isoformat(), "to": NOW.isoformat()},
        {"from": NOW.isoformat(), "to": (NOW - timedelta(days=1)).isoformat()},
        {"from": NOW.isoformat(), "to": NOW.isoformat()},
        {"from": "2026-12-01T00:00:00", "to": NOW.isoformat()},
        {"from": (NOW - timedelta(days=8)).isoformat(), "to": NOW.isoformat(), "interval": "hour"},
    ],
)
async def test_bad_ranges_are_422_problems(api: AuditApi, params: dict[str, str]) -> None:
    answer = await api.client.get(
        "/api/analytics/overview", headers=api.caller().headers, params=params
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/invalid-analytics-range")


@pytest.mark.parametrize(
    "path,params",
    [
        ("/api/analytics/overview", {"interval": "week"}),
        ("/api/analytics/overview", {"from": "yesterday"}),
        ("/api/analytics/nowhere/export", {}),
        ("/api/analytics/search/export", {"format": "xlsx"}),
    ],
)
async def test_malformed_parameters_are_problems(
    api: AuditApi, path: str, params: dict[str, str]
) -> None:
    answer = await api.client.get(path, headers=api.caller().headers, params=params)
    assert answer.status_code in (404, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_400_day_range_is_accepted(api: AuditApi) -> None:
    params = {"from": (NOW - timedelta(days=400)).isoformat(), "to": NOW.isoformat()}
    answer = await api.client.get(
        "/api/analytics/overview", headers=api.caller().headers, params=params
    )
    assert answer.status_code == 200


async def test_people_are_counted_by_pseudonym_which_erasure_unlinks(
    pipeline: Pipeline, api: AuditApi, database: Database
) -> None:
    org, user = uuid.uuid4(), uuid.uuid4()
    await pipeline.publish("search", searched(user, "holiday", 0), org_id=org, actor_id=user)
    await pipeline.deliver()
    async with database.sessionmaker() as session:
        key = await person_keys.existing(session, user)
        assert key is not None
        stored = [
            await session.scalars(select(ActiveUser.pseudonym).where(ActiveUser.org_id == org)),
            await session.scalars(select(QueryUse.pseudonym).where(QueryUse.org_id == org)),
        ]
        assert {name for rows in stored for name in rows} == {key.pseudonym}
    async with database.sessionmaker() as session, session.begin():
        assert await person_keys.forget(session, user)
    # Forgotten: nothing links the pseudonym to them, and later events add no one.
    await pipeline.publish("search", searched(user, "holiday", 1), org_id=org, actor_id=user)
    await pipeline.deliver()
    async with database.sessionmaker() as session:
        assert await person_keys.by_pseudonym(session, [key.pseudonym]) == {}
    series = (await get(api, "/api/analytics/overview", org))["series"]
    assert (today(series["searches"]), today(series["active_users"])) == (2, 1)


async def test_hourly_buckets_older_than_48_hours_are_pruned(
    api: AuditApi, database: Database
) -> None:
    org, now = uuid.uuid4(), datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = {
        CounterKey(org, span, bucket, "uploads", ""): 1
        for span, bucket in [
            ("hour", now - timedelta(hours=50)),
            ("hour", now - timedelta(hours=1)),
            ("day", now - timedelta(hours=50)),
        ]
    }
    async with database.sessionmaker() as session, session.begin():
        await rollup_repository.add_counters(session, rows)
    assert await prune_hours(database) >= 1
    async with database.sessionmaker() as session:
        kept = await session.execute(
            select(Counter.span, Counter.bucket).where(Counter.org_id == org)
        )
        assert sorted((span, bucket) for span, bucket in kept) == sorted(
            [("day", now - timedelta(hours=50)), ("hour", now - timedelta(hours=1))]
        )
