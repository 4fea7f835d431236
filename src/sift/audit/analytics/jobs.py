"""The roll-ups' scheduled jobs: the back-fill from the audit log (until it has run once),
and dropping hourly buckets older than 48 hours."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from sift.audit.analytics.backfill import backfill
from sift.audit.analytics.repository import rollup_repository
from sift.audit.analytics.rollup import HOURLY_WINDOW
from sift.core.db import Database
from sift.core.scheduling import ScheduledJob, cron, job_context

log = structlog.get_logger()


async def prune_hours(database: Database, *, now: datetime | None = None) -> int:
    before = (now or datetime.now(UTC)) - HOURLY_WINDOW
    async with database.sessionmaker() as session, session.begin():
        pruned = await rollup_repository.prune_hours(session, before)
    log.info("analytics.hours_pruned", rows=pruned)
    return pruned


def backfill_job() -> None:
    context = job_context()
    context.run(backfill(context.database))


def prune_hours_job() -> None:
    context = job_context()
    context.run(prune_hours(context.database))


analytics_backfill = ScheduledJob("audit.analytics_backfill", backfill_job, cron("*/10 * * * *"))
analytics_prune_hours = ScheduledJob(
    "audit.analytics_prune_hours", prune_hours_job, cron("23 * * * *")
)
