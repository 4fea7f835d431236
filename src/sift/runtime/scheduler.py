"""`sift scheduler`: APScheduler with its job store in PostgreSQL, one active replica.

APScheduler 3 does not coordinate schedulers that share a job store (each would run
every due job), so replicas elect a leader with a PostgreSQL advisory lock held on a
dedicated connection: the leader runs the scheduler, the others wait and take over
within `leader_poll_seconds` when its connection goes away. The job store keeps the
schedule across restarts and fail-overs; `coalesce` and `max_instances=1` make a late
or slow job run once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    delete,
    func,
    select,
    tuple_,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateSchema

from sift import SERVICES
from sift.core.config import CoreSettings

log = structlog.get_logger()

JOBS_TABLE = "apscheduler_jobs"


class SchedulerSettings(BaseSettings):
    """Environment variables `SIFT_SCHEDULER_*`."""

    model_config = SettingsConfigDict(env_prefix="SIFT_SCHEDULER_", env_file=".env", extra="ignore")

    schema_name: str = "scheduler"
    # Published outbox rows are only an audit of what the relay sent.
    outbox_retention_days: int = 7
    # Longer than any redelivery can come late (stream retention, dead-letter replays).
    processed_events_retention_days: int = 30
    retention_cron: str = "17 * * * *"  # hourly keeps each purge small
    purge_batch_size: int = 5_000
    document_purge_cron: str = "*/10 * * * *"
    # Blobs without a version row (an upload that died before its commit), older than the
    # grace period (far above any upload's duration), are deleted.
    orphan_sweep_cron: str = "41 * * * *"
    orphan_grace_minutes: int = 360
    # Queues re-embedding of versions indexed with another embedding model (after a change).
    reembed_check_cron: str = "*/15 * * * *"
    misfire_grace_seconds: int = 3_600
    leader_poll_seconds: float = 5.0
    executor_threads: int = 4


# --- the maintenance work, callable on its own (and unit-tested against the database) ---


def _event_tables(schema: str) -> tuple[Table, Table]:
    metadata = MetaData(schema=schema)
    outbox = Table(
        "outbox",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("published_at", DateTime(timezone=True)),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("consumer", String, primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("processed_at", DateTime(timezone=True)),
    )
    return outbox, processed


def _purge_in_batches(engine: Engine, build: Callable[[], Any], batch_size: int) -> int:
    # Small transactions: a large purge never holds locks or bloats WAL in one go.
    total = 0
    while True:
        with engine.begin() as connection:
            deleted = connection.execute(build()).rowcount
        total += deleted
        if deleted < batch_size:
            return total


def purge_published_outbox(
    engine: Engine,
    *,
    older_than: timedelta,
    schemas: Sequence[str] = SERVICES,
    batch_size: int = 5_000,
    now: datetime | None = None,
) -> dict[str, int]:
    """Delete outbox rows published before `now - older_than`; never an unpublished one."""
    cutoff = (now or datetime.now(UTC)) - older_than
    counts: dict[str, int] = {}
    for schema in schemas:
        outbox, _ = _event_tables(schema)

        def build(outbox: Table = outbox) -> Any:
            doomed = (
                select(outbox.c.id)
                .where(outbox.c.published_at.is_not(None), outbox.c.published_at < cutoff)
                .limit(batch_size)
            )
            return delete(outbox).where(outbox.c.id.in_(doomed.scalar_subquery()))

        counts[schema] = _purge_in_batches(engine, build, batch_size)
    log.info("scheduler.outbox_purged", cutoff=cutoff.isoformat(), deleted=counts)
    return counts


def purge_processed_events(
    engine: Engine,
    *,
    older_than: timedelta,
    schemas: Sequence[str] = SERVICES,
    batch_size: int = 5_000,
    now: datetime | None = None,
) -> dict[str, int]:
    """Delete consumers' idempotency records processed before `now - older_than`."""
    cutoff = (now or datetime.now(UTC)) - older_than
    counts: dict[str, int] = {}
    for schema in schemas:
        _, processed = _event_tables(schema)

        def build(processed: Table = processed) -> Any:
            doomed = (
                select(processed.c.consumer, processed.c.event_id)
                .where(processed.c.processed_at < cutoff)
                .limit(batch_size)
            )
            return delete(processed).where(
                tuple_(processed.c.consumer, processed.c.event_id).in_(doomed)
            )

        counts[schema] = _purge_in_batches(engine, build, batch_size)
    log.info("scheduler.processed_events_purged", cutoff=cutoff.isoformat(), deleted=counts)
    return counts


# --- jobs as the scheduler stores them: importable functions without arguments ---


@dataclass
class _JobContext:
    engine: Engine
    settings: SchedulerSettings
    core: CoreSettings


_context: _JobContext | None = None


def _job_context() -> _JobContext:
    if _context is None:
        raise RuntimeError("scheduled jobs run inside run_scheduler()")
    return _context


def purge_outbox_job() -> None:
    ctx = _job_context()
    purge_published_outbox(
        ctx.engine,
        older_than=timedelta(days=ctx.settings.outbox_retention_days),
        batch_size=ctx.settings.purge_batch_size,
    )


def purge_processed_events_job() -> None:
    ctx = _job_context()
    purge_processed_events(
        ctx.engine,
        older_than=timedelta(days=ctx.settings.processed_events_retention_days),
        batch_size=ctx.settings.purge_batch_size,
    )


def purge_deleted_documents(settings: CoreSettings) -> int:
    """Finishes document deletions that a crash interrupted (files, then rows)."""
    from sift.core.db import Database
    from sift.core.storage import create_storage
    from sift.documents.documents.tasks import purge_pending

    async def run() -> int:
        database = Database(settings.sqlalchemy_url, pool_size=1)
        storage = create_storage(settings)
        try:
            return await purge_pending(database, storage)
        finally:
            await storage.aclose()
            await database.dispose()

    purged = asyncio.run(run())
    log.info("scheduler.documents_purged", documents=purged)
    return purged


def purge_deleted_documents_job() -> None:
    purge_deleted_documents(_job_context().core)


def purge_query_log_job() -> None:
    from sift.search.config import get_search_settings
    from sift.search.querylog import purge_query_log

    ctx = _job_context()
    purge_query_log(
        ctx.engine,
        older_than=timedelta(days=get_search_settings().query_log_retention_days),
        batch_size=ctx.settings.purge_batch_size,
    )


def sweep_orphan_blobs(settings: CoreSettings, grace: timedelta) -> int:
    from sift.core.db import Database
    from sift.core.storage import create_storage
    from sift.documents.documents.tasks import sweep_orphans

    async def run() -> int:
        database = Database(settings.sqlalchemy_url, pool_size=1)
        storage = create_storage(settings)
        try:
            return await sweep_orphans(database, storage, grace=grace)
        finally:
            await storage.aclose()
            await database.dispose()

    return asyncio.run(run())


def sweep_orphan_blobs_job() -> None:
    ctx = _job_context()
    sweep_orphan_blobs(ctx.core, timedelta(minutes=ctx.settings.orphan_grace_minutes))


def reembed_stale_job() -> None:
    """Asks an ingest worker (which has the embedding model) to queue stale versions."""
    from sift.core.tasks import configure_celery

    configure_celery(_job_context().core).send_task("search.ingest.reembed_stale")


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    func: Callable[[], None]  # module-level, so the job store can reference it by name
    trigger: BaseTrigger
    kwargs: dict[str, Any] = field(default_factory=dict)


def maintenance_jobs(settings: SchedulerSettings) -> list[ScheduledJob]:
    cron = CronTrigger.from_crontab(settings.retention_cron, timezone=UTC)
    return [
        ScheduledJob("maintenance.purge_outbox", purge_outbox_job, cron),
        ScheduledJob("maintenance.purge_processed_events", purge_processed_events_job, cron),
        ScheduledJob(
            "documents.purge_deleted",
            purge_deleted_documents_job,
            CronTrigger.from_crontab(settings.document_purge_cron, timezone=UTC),
        ),
        ScheduledJob("search.purge_query_log", purge_query_log_job, cron),
        ScheduledJob(
            "documents.sweep_orphans",
            sweep_orphan_blobs_job,
            CronTrigger.from_crontab(settings.orphan_sweep_cron, timezone=UTC),
        ),
        ScheduledJob(
            "search.reembed_stale",
            reembed_stale_job,
            CronTrigger.from_crontab(settings.reembed_check_cron, timezone=UTC),
        ),
    ]


# --- leader election ---


def leader_lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock."""
    digest = hashlib.sha256(name.encode()).digest()[:8]
    return int.from_bytes(digest, "big", signed=True)


class LeaderLock:
    """A session-level advisory lock on its own autocommit connection."""

    def __init__(self, engine: Engine, key: int) -> None:
        self.engine = engine
        self.key = key
        self._connection: Connection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    def try_acquire(self) -> bool:
        if self._connection is not None:
            return True
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            query = select(func.pg_try_advisory_lock(self.key))
            acquired = bool(connection.execute(query).scalar())
        except DBAPIError:
            connection.close()
            raise
        if acquired:
            self._connection = connection
        else:
            connection.close()
        return acquired

    def still_held(self) -> bool:
        """False once the connection that holds the lock is gone (the lock went with it)."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(select(1))
        except DBAPIError:
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        with contextlib.suppress(DBAPIError):  # a lost connection took the lock with it
            self._connection.execute(select(func.pg_advisory_unlock(self.key)))
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.invalidate()
            self._connection.close()
            self._connection = None


# --- the process ---


def create_scheduler_engine(settings: CoreSettings) -> Engine:
    return create_engine(settings.sync_sqlalchemy_url, pool_pre_ping=True, pool_size=5)


def ensure_schema(engine: Engine, schema: str) -> None:
    with engine.begin() as connection:
        connection.execute(CreateSchema(schema, if_not_exists=True))


def build_scheduler(
    engine: Engine, settings: SchedulerSettings, *, instance: str
) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(
                engine=engine, tablename=JOBS_TABLE, tableschema=settings.schema_name
            )
        },
        executors={
            "default": ThreadPoolExecutor(
                settings.executor_threads,
                pool_kwargs={"thread_name_prefix": f"sift-scheduler-{instance}"},
            )
        },
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.misfire_grace_seconds,
        },
        timezone=UTC,
    )


def register_jobs(scheduler: BackgroundScheduler, jobs: Sequence[ScheduledJob]) -> None:
    """Add or replace our jobs; remove stored jobs nobody defines any more."""
    wanted = {job.id for job in jobs}
    for stored in scheduler.get_jobs():
        if stored.id not in wanted:
            log.info("scheduler.job_removed", job=stored.id)
            stored.remove()
    for job in jobs:
        scheduler.add_job(
            job.func,
            trigger=job.trigger,
            id=job.id,
            name=job.id,
            kwargs=job.kwargs,
            replace_existing=True,
        )
        log.info("scheduler.job_registered", job=job.id, trigger=str(job.trigger))


def run_scheduler(
    settings: CoreSettings,
    scheduler_settings: SchedulerSettings,
    *,
    stop: threading.Event,
    jobs: Sequence[ScheduledJob] | None = None,
    engine: Engine | None = None,
    on_leadership: Callable[[bool], None] | None = None,
) -> None:
    """Until `stop` is set: stand by, lead when the lock is free, step down if it is lost."""
    global _context
    own_engine = engine is None
    engine = engine or create_scheduler_engine(settings)
    jobs = list(jobs if jobs is not None else maintenance_jobs(scheduler_settings))
    instance = uuid.uuid4().hex[:8]
    context: _JobContext | None = None
    lock = LeaderLock(engine, leader_lock_key(f"sift.scheduler:{scheduler_settings.schema_name}"))
    try:
        context = _context = _JobContext(engine, scheduler_settings, settings)
        log.info("scheduler.standby", instance=instance)
        while not stop.is_set():
            try:
                leading = lock.try_acquire()
            except DBAPIError as exc:
                log.warning("scheduler.database_unavailable", error=type(exc).__name__)
                leading = False
            if not leading:
                stop.wait(scheduler_settings.leader_poll_seconds)
                continue
            try:
                _lead(engine, scheduler_settings, lock, stop, jobs, instance, on_leadership)
            except DBAPIError as exc:
                # The database went away under the leader: step down, stand by, try again.
                log.error("scheduler.database_error", instance=instance, error=type(exc).__name__)
                lock.release()
                stop.wait(scheduler_settings.leader_poll_seconds)
    finally:
        lock.release()
        if _context is context:
            _context = None
        if own_engine:
            engine.dispose()


def _lead(
    engine: Engine,
    settings: SchedulerSettings,
    lock: LeaderLock,
    stop: threading.Event,
    jobs: Sequence[ScheduledJob],
    instance: str,
    on_leadership: Callable[[bool], None] | None,
) -> None:
    log.info("scheduler.leading", instance=instance)
    # Only the leader creates the schema and the job table: concurrent
    # `CREATE SCHEMA IF NOT EXISTS` from two replicas starting together would collide.
    ensure_schema(engine, settings.schema_name)
    scheduler = build_scheduler(engine, settings, instance=instance)
    scheduler.start(paused=True)
    try:
        register_jobs(scheduler, jobs)
        scheduler.resume()
        if on_leadership:
            on_leadership(True)
        while not stop.wait(settings.leader_poll_seconds):
            if not lock.still_held():
                log.error("scheduler.leadership_lost", instance=instance)
                break
    finally:
        scheduler.shutdown(wait=True)
        lock.release()
        if on_leadership:
            on_leadership(False)
        log.info("scheduler.stepped_down", instance=instance)
