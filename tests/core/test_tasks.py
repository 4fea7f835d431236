"""Celery: a real worker on real Redis; enqueue-after-commit on real PostgreSQL sessions."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from celery import Celery
from celery.result import AsyncResult
from prometheus_client import REGISTRY
from redis import Redis as SyncRedis
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from structlog.testing import capture_logs

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.tasks import (
    ALL_QUEUES,
    SiftTask,
    TransientError,
    celery_app,
    enqueue_after_commit,
    flush_enqueued,
    queue_for,
    record_dead_letter,
    task_settings,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:Call to deprecated setex:DeprecationWarning"  # inside Celery's Redis backend
)


def _redis() -> SyncRedis:
    return SyncRedis.from_url(task_settings().redis_url)


@celery_app.task(name="audit.testing.record", ignore_result=False)
def record(marker: str) -> str:
    with _redis() as client:
        client.rpush(task_settings().redis_key("ran"), marker)
    return marker


@celery_app.task(
    name="audit.testing.flaky",
    max_retries=2,
    retry_backoff=1,
    retry_jitter=False,
    ignore_result=False,
)
def always_transient(key: str, *, detail: str = "") -> None:
    with _redis() as client:
        client.rpush(task_settings().redis_key("attempts", key), time.time())
    raise TransientError("provider busy")


@celery_app.task(
    name="documents.testing.recovers", retry_backoff=1, retry_jitter=False, ignore_result=False
)
def recovers(key: str) -> str:
    with _redis() as client:
        attempts = client.incr(task_settings().redis_key("attempts", key))
    if attempts < 2:
        raise ConnectionResetError("connection reset by peer")
    return f"ok after {attempts}"


@celery_app.task(name="search.ingest.broken")
def broken(document_id: str) -> None:
    raise ValueError("not a PDF")


@celery_app.task(name="notifications.testing.context", ignore_result=False)
def context() -> dict[str, Any]:
    bound = structlog.contextvars.get_contextvars()
    return {"request_id": bound.get("request_id"), "task": bound.get("task")}


@celery_app.task(name="misnamed")
def misnamed() -> None:  # pragma: no cover - never runs
    pass


async def result_of(task_id: str, timeout: float = 15) -> Any:
    return await asyncio.to_thread(AsyncResult(task_id, app=celery_app).get, timeout=timeout)


def ran(settings: CoreSettings) -> list[str]:
    with SyncRedis.from_url(settings.redis_url) as client:
        return [m.decode() for m in client.lrange(settings.redis_key("ran"), 0, -1)]


async def dead_letters(settings: CoreSettings, task_id: str, timeout: float = 15) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    with SyncRedis.from_url(settings.redis_url) as client:
        while time.monotonic() < deadline:
            for _, fields in client.xrange(settings.redis_key("tasks", "dead")):
                entry = {k.decode(): v.decode() for k, v in fields.items()}
                if entry["task_id"] == task_id:
                    return entry
            await asyncio.sleep(0.05)
    raise AssertionError(f"no dead letter for {task_id}")


@pytest.fixture
def worker(celery_worker: Celery) -> Iterator[Celery]:
    yield celery_worker


# --- configuration and routing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "queue"),
    [
        ("identity.tokens.purge", "identity"),
        ("documents.versions.prune", "documents"),
        ("search.ingest.document", "ingest"),
        ("notifications.deliver.email", "deliver"),
        ("audit.privacy.export", "privacy"),
        ("documents.privacy.erase", "privacy"),
        ("assistant.usage.rollup", "assistant"),
        ("celery.chord_unlock", "default"),
    ],
)
def test_tasks_are_routed_by_name(name: str, queue: str) -> None:
    assert queue_for(name) == queue
    assert queue in ALL_QUEUES


@pytest.mark.parametrize("name", ["misnamed", "billing.invoices.send", "search.ingest", "a..b"])
def test_names_outside_the_convention_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match=r"service\.domain\.verb"):
        queue_for(name)


def test_reliability_settings(worker: Celery, celery_settings: CoreSettings) -> None:
    conf = worker.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_max_memory_per_child == 1400 * 1024  # KiB: recycled before 1.5 GiB
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > SiftTask.retry_backoff_max
    assert conf.broker_transport_options["global_keyprefix"] == celery_settings.redis_prefix
    assert {queue.name for queue in conf.task_queues} == set(ALL_QUEUES)
    assert record.acks_late is True and record.max_retries == 5
    assert conf.task_ignore_result is True and broken.ignore_result is True


def test_sending_a_misnamed_task_fails_at_once(worker: Celery) -> None:
    with pytest.raises(ValueError, match=r"service\.domain\.verb"):
        misnamed.delay()


# --- the worker ------------------------------------------------------------------------


async def test_a_task_runs_on_the_worker(worker: Celery, celery_settings: CoreSettings) -> None:
    marker = f"plain-{uuid.uuid4().hex}"
    before = REGISTRY.get_sample_value(
        "sift_task_runs_total", {"task": "audit.testing.record", "state": "SUCCESS"}
    )
    result = record.delay(marker)
    assert await result_of(result.id) == marker
    assert marker in ran(celery_settings)
    after = REGISTRY.get_sample_value(
        "sift_task_runs_total", {"task": "audit.testing.record", "state": "SUCCESS"}
    )
    assert (after or 0) == (before or 0) + 1


async def test_transient_failures_retry_with_backoff_then_dead_letter(
    worker: Celery, celery_settings: CoreSettings
) -> None:
    key = uuid.uuid4().hex
    result = always_transient.delay(key, detail="kept")
    letter = await dead_letters(celery_settings, result.id)

    with SyncRedis.from_url(celery_settings.redis_url) as client:
        stamps = [
            float(t) for t in client.lrange(celery_settings.redis_key("attempts", key), 0, -1)
        ]
    assert len(stamps) == 3  # the first run and max_retries=2 retries
    first_wait, second_wait = stamps[1] - stamps[0], stamps[2] - stamps[1]
    assert 0.9 <= first_wait < 2.0  # retry_backoff=1: 1 s, then 2 s
    assert 1.9 <= second_wait < 3.5
    assert letter["task"] == "audit.testing.flaky"
    assert json.loads(letter["args"]) == [key]
    assert json.loads(letter["kwargs"]) == {"detail": "kept"}
    assert letter["error_type"] == "TransientError"
    assert letter["error"] == "provider busy"
    assert letter["reason"] == "retries-exhausted"
    assert letter["retries"] == "2"
    assert letter["queue"] == "audit"
    assert "TransientError" in letter["traceback"]
    assert AsyncResult(result.id, app=celery_app).state == "FAILURE"


async def test_a_transient_failure_that_heals_succeeds(
    worker: Celery, celery_settings: CoreSettings
) -> None:
    result = recovers.delay(uuid.uuid4().hex)
    assert await result_of(result.id) == "ok after 2"


async def test_permanent_errors_are_dead_lettered_without_retry(
    worker: Celery, celery_settings: CoreSettings
) -> None:
    result = broken.delay("doc-1")
    letter = await dead_letters(celery_settings, result.id)
    assert letter["reason"] == "failed"
    assert letter["retries"] == "0"
    assert letter["error_type"] == "ValueError"
    assert letter["queue"] == "ingest"


async def test_the_request_id_travels_with_the_task(worker: Celery) -> None:
    structlog.contextvars.bind_contextvars(request_id="req-task-123456")
    try:
        result = context.delay()
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    assert await result_of(result.id) == {
        "request_id": "req-task-123456",
        "task": "notifications.testing.context",
    }


# --- enqueue after commit --------------------------------------------------------------


async def test_enqueued_task_is_sent_only_when_the_transaction_commits(
    worker: Celery, database: Database, celery_settings: CoreSettings
) -> None:
    marker = f"committed-{uuid.uuid4().hex}"
    structlog.contextvars.bind_contextvars(request_id="req-commit-12345")
    try:
        async with database.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
            task_id = enqueue_after_commit(session, record, marker)
            context_id = enqueue_after_commit(session, context.s())
            await asyncio.sleep(0.3)  # the worker would have run it by now if it were sent
            assert marker not in ran(celery_settings)
            assert AsyncResult(task_id, app=celery_app).state == "PENDING"
            await session.commit()
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    await flush_enqueued()
    assert await result_of(task_id) == marker
    assert (await result_of(context_id))["request_id"] == "req-commit-12345"


async def test_rollback_drops_the_enqueued_task(
    worker: Celery, database: Database, celery_settings: CoreSettings
) -> None:
    dropped = f"rolled-back-{uuid.uuid4().hex}"
    async with database.sessionmaker() as session:
        await session.execute(text("SELECT 1"))
        dropped_id = enqueue_after_commit(session, record, dropped)
        await session.rollback()
        # The session goes on: a later unit of work does not resurrect the dropped task.
        await session.execute(text("SELECT 1"))
        await session.commit()
    closed = f"closed-{uuid.uuid4().hex}"
    async with database.sessionmaker() as session:
        await session.execute(text("SELECT 1"))
        enqueue_after_commit(session, record, closed)
        await session.close()  # ends the transaction without commit
        await session.execute(text("SELECT 1"))  # a closed session can be used again
        await session.commit()
    await flush_enqueued()
    sentinel = record.delay(f"sentinel-{uuid.uuid4().hex}")
    await result_of(sentinel.id)  # one queue, one worker: anything sent earlier ran before
    assert dropped not in ran(celery_settings)
    assert closed not in ran(celery_settings)
    assert AsyncResult(dropped_id, app=celery_app).state == "PENDING"


async def test_savepoints_keep_or_drop_their_own_tasks(
    worker: Celery, database: Database, celery_settings: CoreSettings
) -> None:
    tag = uuid.uuid4().hex
    async with database.sessionmaker() as session:
        outer_id = enqueue_after_commit(session, record, f"outer-{tag}")
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                enqueue_after_commit(session, record, f"failed-savepoint-{tag}")
                raise RuntimeError("this part fails")
        savepoint = await session.begin_nested()
        inner_id = enqueue_after_commit(session, record, f"released-savepoint-{tag}")
        await savepoint.commit()
        await flush_enqueued()
        await asyncio.sleep(0.3)  # the worker would have run them by now if they were sent
        assert not [marker for marker in ran(celery_settings) if tag in marker]
        await session.commit()
    await flush_enqueued()
    assert await result_of(outer_id) == f"outer-{tag}"
    assert await result_of(inner_id) == f"released-savepoint-{tag}"
    sentinel = record.delay(f"sentinel-{tag}")
    await result_of(sentinel.id)
    assert f"failed-savepoint-{tag}" not in ran(celery_settings)


async def test_sync_sessions_send_on_commit_too(
    worker: Celery, celery_settings: CoreSettings, base_settings: CoreSettings
) -> None:
    engine = create_engine(base_settings.sync_sqlalchemy_url)
    marker = f"sync-{uuid.uuid4().hex}"

    def unit_of_work() -> str:
        with Session(engine) as session:
            session.execute(text("SELECT 1"))
            task_id = enqueue_after_commit(session, record, marker)
            session.commit()
        return task_id

    task_id = await asyncio.to_thread(unit_of_work)  # no event loop in that thread
    assert await result_of(task_id) == marker
    engine.dispose()


async def test_enqueue_refuses_bad_calls(worker: Celery, database: Database) -> None:
    async with database.sessionmaker() as session:
        with pytest.raises(ValueError, match=r"service\.domain\.verb"):
            enqueue_after_commit(session, misnamed)
        with pytest.raises(TypeError):
            enqueue_after_commit(session, record.s("x"), "extra")


# --- failures around the broker --------------------------------------------------------

down_app = Celery("sift-down", broker="redis://127.0.0.1:1/0")
down_app.conf.update(  # give up at once instead of retrying the connection for ~20 s
    task_publish_retry=False,
    broker_connection_timeout=1,
    broker_transport_options={"max_retries": 1, "interval_start": 0, "interval_step": 0.05},
)


@down_app.task(name="audit.testing.unsent")
def unsent(marker: str) -> None:  # pragma: no cover - never reaches a worker
    pass


async def test_a_failed_send_after_commit_is_logged_not_raised(database: Database) -> None:
    with capture_logs() as logs:
        async with database.sessionmaker() as session:
            enqueue_after_commit(session, unsent, "lost")
            await session.commit()  # the commit itself succeeds
        await flush_enqueued()
    failures = [entry for entry in logs if entry["event"] == "task.enqueue_failed"]
    assert len(failures) == 1
    assert failures[0]["task"] == "audit.testing.unsent"
    assert failures[0]["args"] == '["lost"]'


def test_a_dead_letter_that_cannot_be_stored_is_logged_in_full() -> None:
    down_app.conf.update(
        sift_redis_url="redis://127.0.0.1:1/0",
        sift_dead_letter_stream="nowhere",
        sift_dead_letter_maxlen=10,
    )
    with capture_logs() as logs:
        record_dead_letter(
            down_app,
            task_name="audit.testing.unsent",
            task_id="task-1",
            args=["a", 1],
            kwargs={"k": "v"},
            error=ValueError("boom"),
            traceback_text="Traceback ...",
            retries=0,
            reason="failed",
            queue="audit",
        )
    [entry] = [entry for entry in logs if entry["event"] == "task.dead_letter_failed"]
    assert entry["task"] == "audit.testing.unsent"
    assert entry["args"] == '["a",1]'
    assert entry["kwargs"] == '{"k":"v"}'
    assert entry["error"] == "boom"
