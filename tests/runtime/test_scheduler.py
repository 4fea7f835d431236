"""The scheduler: retention purges on the real database, the services' jobs collected and run
on one set of engines per process, one leader among replicas."""

from __future__ import annotations

import json
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, event, text

from sift import SERVICES
from sift.core.config import CoreSettings
from sift.core.events.retention import purge_processed_events, purge_published_outbox
from sift.core.scheduling import ScheduledJob
from sift.documents.documents.jobs import purge_deleted_documents_job, sweep_orphan_blobs_job
from sift.runtime.backup import MANIFEST, backup_dirs
from sift.runtime.leader import LeaderLock, leader_lock_key
from sift.runtime.scheduler import (
    JOBS_TABLE,
    SchedulerSettings,
    job_context_for,
    maintenance_jobs,
    purge_outbox_job,
    run_scheduler,
    scheduled_jobs,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def add_outbox_row(engine: Engine, schema: str, *, published_at: datetime | None) -> uuid.UUID:
    event_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            text(
                f'INSERT INTO "{schema}".outbox (id, type, version, envelope, published_at) '
                "VALUES (:id, 'test.event', 1, '{}', :published_at)"
            ),
            {"id": event_id, "published_at": published_at},
        )
    return event_id


def add_processed(engine: Engine, schema: str, *, processed_at: datetime) -> uuid.UUID:
    event_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            text(
                f'INSERT INTO "{schema}".processed_events (consumer, event_id, processed_at) '
                "VALUES ('test-consumer', :id, :at)"
            ),
            {"id": event_id, "at": processed_at},
        )
    return event_id


def remaining(engine: Engine, schema: str, table: str, column: str) -> set[uuid.UUID]:
    with engine.connect() as connection:
        rows = connection.execute(text(f'SELECT {column} FROM "{schema}".{table}'))
        return {row[0] for row in rows}


@pytest.mark.usefixtures("empty_event_tables")
def test_purge_removes_only_old_published_outbox_rows(sync_engine: Engine) -> None:
    old = add_outbox_row(sync_engine, "documents", published_at=NOW - timedelta(days=8))
    recent = add_outbox_row(sync_engine, "documents", published_at=NOW - timedelta(days=6))
    unpublished = add_outbox_row(sync_engine, "documents", published_at=None)
    other_schema_old = add_outbox_row(sync_engine, "audit", published_at=NOW - timedelta(days=30))

    counts = purge_published_outbox(sync_engine, older_than=timedelta(days=7), now=NOW)

    assert counts == dict.fromkeys(SERVICES, 0) | {"documents": 1, "audit": 1}
    assert remaining(sync_engine, "documents", "outbox", "id") == {recent, unpublished}
    assert other_schema_old not in remaining(sync_engine, "audit", "outbox", "id")
    assert old not in remaining(sync_engine, "documents", "outbox", "id")


@pytest.mark.usefixtures("empty_event_tables")
def test_purge_works_in_batches(sync_engine: Engine) -> None:
    for _ in range(7):
        add_outbox_row(sync_engine, "search", published_at=NOW - timedelta(days=10))
    keep = add_outbox_row(sync_engine, "search", published_at=NOW)

    counts = purge_published_outbox(
        sync_engine, older_than=timedelta(days=7), schemas=["search"], batch_size=3, now=NOW
    )

    assert counts == {"search": 7}
    assert remaining(sync_engine, "search", "outbox", "id") == {keep}


@pytest.mark.usefixtures("empty_event_tables")
def test_purge_removes_old_processed_events(sync_engine: Engine) -> None:
    old = add_processed(sync_engine, "notifications", processed_at=NOW - timedelta(days=31))
    recent = add_processed(sync_engine, "notifications", processed_at=NOW - timedelta(days=29))

    counts = purge_processed_events(
        sync_engine, older_than=timedelta(days=30), batch_size=1, now=NOW
    )

    assert counts["notifications"] == 1
    events = remaining(sync_engine, "notifications", "processed_events", "event_id")
    assert events == {recent}
    assert old not in events


@pytest.mark.usefixtures("empty_event_tables")
def test_jobs_use_the_retention_settings(sync_engine: Engine, base_settings: CoreSettings) -> None:
    """The stored jobs carry the settings of the scheduler that registered them."""
    now = datetime.now(UTC)
    stale = add_outbox_row(sync_engine, "identity", published_at=now - timedelta(days=3))
    kept = add_outbox_row(sync_engine, "identity", published_at=now - timedelta(hours=1))
    seen = add_processed(sync_engine, "identity", processed_at=now - timedelta(days=3))
    settings = SchedulerSettings(outbox_retention_days=2, processed_events_retention_days=2)

    with job_context_for(base_settings, sync_engine):
        for job in maintenance_jobs(settings):
            if job.id != "maintenance.backup":  # its own test below
                job.func(**job.kwargs)

    assert remaining(sync_engine, "identity", "outbox", "id") == {kept}
    assert stale not in remaining(sync_engine, "identity", "outbox", "id")
    assert seen not in remaining(sync_engine, "identity", "processed_events", "event_id")


def test_the_scheduled_backup_writes_a_finished_backup(
    sync_engine: Engine,
    settings: CoreSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIFT_BACKUP_DIRECTORY", str(tmp_path / "backups"))
    monkeypatch.setenv("SIFT_BACKUP_KEEP", "1")
    (job,) = [j for j in maintenance_jobs(SchedulerSettings()) if j.id == "maintenance.backup"]
    with job_context_for(settings, sync_engine):
        job.func(**job.kwargs)
        job.func(**job.kwargs)
    (kept,) = backup_dirs(tmp_path / "backups")  # the older one pruned
    tables = json.loads((kept / MANIFEST).read_text())["database"]["tables"]
    assert "identity.users" in tables
    monkeypatch.setenv("SIFT_BACKUP_SCHEDULE", "")
    assert "maintenance.backup" not in {j.id for j in maintenance_jobs(SchedulerSettings())}


def test_jobs_refuse_to_run_outside_a_scheduler() -> None:
    with pytest.raises(RuntimeError, match="scheduler"):
        purge_outbox_job(older_than_days=7, batch_size=100)


def test_the_jobs_of_a_process_share_one_database_engine(
    sync_engine: Engine, base_settings: CoreSettings
) -> None:
    """Runs reuse the process's connection pool: no engine (and no connection) per run."""
    connections: list[object] = []
    with job_context_for(base_settings, sync_engine) as context:
        pool_events = context.database.engine.sync_engine
        event.listen(pool_events, "connect", lambda *_: connections.append(object()))
        for _ in range(3):
            purge_deleted_documents_job()  # nothing pending: one query each
            sweep_orphan_blobs_job()
    assert len(connections) == 1


def test_the_scheduler_collects_every_services_jobs() -> None:
    jobs = {job.id: job for job in scheduled_jobs(SchedulerSettings())}
    assert set(jobs) == {
        "assistant.purge_conversations",
        "audit.analytics_backfill",
        "audit.analytics_prune_hours",
        "audit.purge_entries",
        "audit.purge_expired_exports",
        "maintenance.backup",
        "maintenance.purge_outbox",
        "maintenance.purge_processed_events",
        "documents.purge_deleted",
        "documents.sweep_orphans",
        "notifications.purge_finished_deliveries",
        "notifications.release_held_deliveries",
        "notifications.resend_stranded_deliveries",
        "notifications.send_digests",
        "notifications.prune",
        "search.purge_query_log",
        "search.reembed_stale",
    }
    fire = jobs["maintenance.purge_outbox"].trigger.get_next_fire_time(None, NOW)
    assert fire == NOW.replace(minute=17)
    backup = jobs["maintenance.backup"].trigger.get_next_fire_time(None, NOW)
    assert (backup.hour, backup.minute) == (2, 30)
    purge = jobs["documents.purge_deleted"].trigger.get_next_fire_time(None, NOW)
    assert purge is not None and purge - NOW <= timedelta(minutes=10)


def test_only_one_holder_of_the_leader_lock(sync_engine: Engine) -> None:
    key = leader_lock_key(f"test-{uuid.uuid4()}")
    first, second = LeaderLock(sync_engine, key), LeaderLock(sync_engine, key)
    try:
        assert first.try_acquire()
        assert first.try_acquire()  # idempotent for the holder
        assert not second.try_acquire()
        assert first.still_held()
        first.release()
        assert not first.still_held()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


# --- two real scheduler replicas in threads, sharing one job store ---

RUNS: list[str] = []
RUNS_LOCK = threading.Lock()


def record_run() -> None:
    """A job as the store keeps it: importable by name. Notes which replica ran it."""
    with RUNS_LOCK:
        RUNS.append(threading.current_thread().name.split("_")[0])


@pytest.fixture
def scheduler_schema(sync_engine: Engine) -> Iterator[str]:
    schema = f"scheduler_test_{uuid.uuid4().hex[:8]}"
    yield schema
    with sync_engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_replicas_run_each_job_once_and_fail_over(
    base_settings: CoreSettings, sync_engine: Engine, scheduler_schema: str
) -> None:
    settings = SchedulerSettings(schema_name=scheduler_schema, leader_poll_seconds=0.1)
    jobs = [
        *scheduled_jobs(settings),
        ScheduledJob("test.record", record_run, IntervalTrigger(seconds=0.3)),
    ]
    leaders: list[int] = []
    stops = [threading.Event(), threading.Event()]

    def replica(index: int) -> threading.Thread:
        def leadership(leading: bool) -> None:
            if leading:
                leaders.append(index)

        thread = threading.Thread(
            target=run_scheduler,
            args=(base_settings, settings),
            kwargs={
                "stop": stops[index],
                "jobs": jobs,
                "engine": sync_engine,
                "on_leadership": leadership,
            },
        )
        thread.start()
        return thread

    RUNS.clear()
    threads = [replica(0), replica(1)]
    try:
        wait_for(lambda: len(RUNS) >= 4)
        assert len(leaders) == 1
        first_leader = leaders[0]
        assert len(set(RUNS)) == 1, f"two replicas ran the job: {RUNS}"

        with sync_engine.connect() as connection:
            stored = connection.execute(
                text(f'SELECT id FROM "{scheduler_schema}".{JOBS_TABLE} ORDER BY id')
            ).scalars()
            assert list(stored) == [
                "assistant.purge_conversations",
                "audit.analytics_backfill",
                "audit.analytics_prune_hours",
                "audit.purge_entries",
                "audit.purge_expired_exports",
                "documents.purge_deleted",
                "documents.sweep_orphans",
                "maintenance.backup",
                "maintenance.purge_outbox",
                "maintenance.purge_processed_events",
                "notifications.prune",
                "notifications.purge_finished_deliveries",
                "notifications.release_held_deliveries",
                "notifications.resend_stranded_deliveries",
                "notifications.send_digests",
                "search.purge_query_log",
                "search.reembed_stale",
                "test.record",
            ]

        # The leader goes away: the standby takes over and the job keeps running.
        stops[first_leader].set()
        threads[first_leader].join(10)
        runs_before = len(RUNS)
        wait_for(lambda: len(leaders) == 2 and len(RUNS) >= runs_before + 3)
        assert leaders == [first_leader, 1 - first_leader]
        assert len(set(RUNS)) == 2
    finally:
        for stop in stops:
            stop.set()
        for thread in threads:
            thread.join(10)
    assert not any(thread.is_alive() for thread in threads)


def lead_once(
    base_settings: CoreSettings,
    settings: SchedulerSettings,
    engine: Engine,
    jobs: list[ScheduledJob],
) -> None:
    """One replica that registers `jobs` as leader, then stops."""
    stop = threading.Event()
    led = threading.Event()
    thread = threading.Thread(
        target=run_scheduler,
        args=(base_settings, settings),
        kwargs={
            "stop": stop,
            "jobs": jobs,
            "engine": engine,
            "on_leadership": lambda leading: led.set() if leading else None,
        },
    )
    thread.start()
    assert led.wait(15)
    stop.set()
    thread.join(10)


def test_jobs_nobody_defines_any_more_are_removed(
    base_settings: CoreSettings, sync_engine: Engine, scheduler_schema: str
) -> None:
    settings = SchedulerSettings(schema_name=scheduler_schema, leader_poll_seconds=0.1)
    hourly = IntervalTrigger(hours=1)
    lead_once(
        base_settings,
        settings,
        sync_engine,
        [ScheduledJob("old.job", record_run, hourly), ScheduledJob("kept", record_run, hourly)],
    )
    lead_once(base_settings, settings, sync_engine, [ScheduledJob("kept", record_run, hourly)])
    with sync_engine.connect() as connection:
        ids = connection.execute(text(f'SELECT id FROM "{scheduler_schema}".{JOBS_TABLE}'))
        assert [row[0] for row in ids] == ["kept"]


def test_a_job_stored_before_its_function_moved_is_replaced(
    base_settings: CoreSettings, sync_engine: Engine, scheduler_schema: str
) -> None:
    """Upgrading: the store still names the function where an earlier release kept it."""
    settings = SchedulerSettings(schema_name=scheduler_schema, leader_poll_seconds=0.1)
    job_id = "documents.purge_deleted"
    lead_once(
        base_settings,
        settings,
        sync_engine,
        [ScheduledJob(job_id, record_run, IntervalTrigger(hours=1))],
    )
    table = f'"{scheduler_schema}".{JOBS_TABLE}'
    with sync_engine.begin() as connection:
        state = pickle.loads(
            connection.execute(text(f"SELECT job_state FROM {table}")).scalar_one()
        )
        state["func"] = "sift.runtime.scheduler:purge_deleted_documents_job"
        connection.execute(
            text(f"UPDATE {table} SET job_state = :state WHERE id = :id"),
            {"state": pickle.dumps(state), "id": job_id},
        )

    lead_once(base_settings, settings, sync_engine, scheduled_jobs(settings))

    with sync_engine.connect() as connection:
        stored = connection.execute(
            text(f"SELECT job_state FROM {table} WHERE id = :id"), {"id": job_id}
        ).scalar_one()
    assert pickle.loads(stored)["func"] == (
        "sift.documents.documents.jobs:purge_deleted_documents_job"
    )
