"""`sift scheduler`: APScheduler with its job store in PostgreSQL, one active replica.

APScheduler 3 does not coordinate schedulers that share a job store (each would run
every due job), so replicas elect a leader with a PostgreSQL advisory lock held on a
dedicated connection: the leader runs the scheduler, the others wait and take over
within `leader_poll_seconds` when its connection goes away. The job store keeps the
schedule across restarts and fail-overs; `coalesce` and `max_instances=1` make a late
or slow job run once.

The jobs: the event tables' retention (here) and those each service declares in its
`jobs` modules (`sift.core.scheduling`). They share one set of engines per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, timedelta

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateSchema

from sift import SERVICES
from sift.core.config import CoreSettings, SiftSettings
from sift.core.db import Database
from sift.core.events.retention import purge_processed_events, purge_published_outbox
from sift.core.scheduling import JobContext, ScheduledJob, cron, job_context, set_job_context
from sift.core.storage import create_storage
from sift.core.tasks import configure_celery
from sift.runtime.backup import BackupSettings, backup_job
from sift.runtime.leader import LeaderLock, leader_lock_key
from sift.runtime.scheduler_metrics import observe_jobs
from sift.runtime.services import service_modules

log = structlog.get_logger()

JOBS_TABLE = "apscheduler_jobs"


class SchedulerSettings(SiftSettings):
    """Environment variables `SIFT_SCHEDULER_*`."""

    model_config = SettingsConfigDict(env_prefix="SIFT_SCHEDULER_")

    schema_name: str = "scheduler"
    # Published outbox rows are only an audit of what the relay sent.
    outbox_retention_days: int = 7
    # Longer than any redelivery can come late (stream retention, dead-letter replays).
    processed_events_retention_days: int = 30
    retention_cron: str = "17 * * * *"  # hourly keeps each purge small
    purge_batch_size: int = 5_000
    misfire_grace_seconds: int = 3_600
    leader_poll_seconds: float = 5.0
    executor_threads: int = 4


# --- the jobs: the event tables' retention here, the services' own in their `jobs` modules ---


def purge_outbox_job(*, older_than_days: int, batch_size: int) -> None:
    purge_published_outbox(
        job_context().engine, older_than=timedelta(days=older_than_days), batch_size=batch_size
    )


def purge_processed_events_job(*, older_than_days: int, batch_size: int) -> None:
    purge_processed_events(
        job_context().engine, older_than=timedelta(days=older_than_days), batch_size=batch_size
    )


def maintenance_jobs(settings: SchedulerSettings) -> list[ScheduledJob]:
    """The retention of the event tables that every service schema holds, and the backup."""
    schedule = BackupSettings().schedule
    backups = [ScheduledJob("maintenance.backup", backup_job, cron(schedule))] if schedule else []
    return [
        *backups,
        ScheduledJob(
            "maintenance.purge_outbox",
            purge_outbox_job,
            cron(settings.retention_cron),
            {
                "older_than_days": settings.outbox_retention_days,
                "batch_size": settings.purge_batch_size,
            },
        ),
        ScheduledJob(
            "maintenance.purge_processed_events",
            purge_processed_events_job,
            cron(settings.retention_cron),
            {
                "older_than_days": settings.processed_events_retention_days,
                "batch_size": settings.purge_batch_size,
            },
        ),
    ]


def discover_jobs(service: str) -> list[ScheduledJob]:
    """The `ScheduledJob`s declared in the service's `jobs` modules."""
    found: dict[str, ScheduledJob] = {}
    for module in service_modules(service, "jobs"):
        for value in vars(module).values():
            if isinstance(value, ScheduledJob):
                found[value.id] = value
    return list(found.values())


def scheduled_jobs(settings: SchedulerSettings) -> list[ScheduledJob]:
    """Every job the scheduler runs: the maintenance jobs, then each service's."""
    return [*maintenance_jobs(settings), *(job for s in SERVICES for job in discover_jobs(s))]


# --- the process ---


@contextlib.contextmanager
def job_context_for(settings: CoreSettings, engine: Engine) -> Iterator[JobContext]:
    """The jobs' shared resources, made once per process: an event loop in its own thread
    with one async database and one storage client on it, beside the synchronous engine."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sift-scheduler-loop", daemon=True)
    thread.start()
    context = JobContext(
        settings=settings,
        engine=engine,
        database=Database(settings.sqlalchemy_url, pool_size=1),
        storage=create_storage(settings),
        loop=loop,
    )
    # Jobs that enqueue Celery tasks send them to this process's Redis.
    configure_celery(settings)
    set_job_context(context)
    try:
        yield context
    finally:
        set_job_context(None)
        context.run(context.storage.aclose())
        context.run(context.database.dispose())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


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
    own_engine = engine is None
    engine = engine or create_scheduler_engine(settings)
    jobs = list(jobs if jobs is not None else scheduled_jobs(scheduler_settings))
    instance = uuid.uuid4().hex[:8]
    lock = LeaderLock(engine, leader_lock_key(f"sift.scheduler:{scheduler_settings.schema_name}"))
    try:
        with job_context_for(settings, engine):
            _stand_by(engine, scheduler_settings, lock, stop, jobs, instance, on_leadership)
    finally:
        lock.release()
        if own_engine:
            engine.dispose()


def _stand_by(
    engine: Engine,
    scheduler_settings: SchedulerSettings,
    lock: LeaderLock,
    stop: threading.Event,
    jobs: Sequence[ScheduledJob],
    instance: str,
    on_leadership: Callable[[bool], None] | None,
) -> None:
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
    observe_jobs(scheduler)
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
