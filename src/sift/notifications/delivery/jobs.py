"""Delivery upkeep: mail held by quiet hours goes when they end, deliveries whose task
message was lost are sent again, and finished ones are deleted after the retention period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog

from sift.core.scheduling import ScheduledJob, cron, job_context
from sift.core.tasks import flush_enqueued
from sift.notifications.config import get_notifications_settings
from sift.notifications.delivery.retention import purge_finished
from sift.notifications.delivery.service import delivery_service

log = structlog.get_logger()


async def _resend() -> int:
    config = get_notifications_settings().delivery
    async with job_context().database.sessionmaker() as session, session.begin():
        count = await delivery_service.resend_stranded(session, config)
    await flush_enqueued()  # the scheduler's loop must not close with messages unsent
    return count


def resend_stranded_job() -> None:
    job_context().run(_resend())


resend_stranded = ScheduledJob(
    "notifications.resend_stranded_deliveries", resend_stranded_job, cron("*/5 * * * *")
)


async def _release() -> int:
    async with job_context().database.sessionmaker() as session, session.begin():
        count = await delivery_service.release_held(session)
    await flush_enqueued()
    return count


def release_held_job() -> None:
    job_context().run(_release())


release_held = ScheduledJob(
    "notifications.release_held_deliveries", release_held_job, cron("* * * * *")
)


def purge_finished_job() -> None:
    days = get_notifications_settings().delivery.retention_days
    before = datetime.now(UTC) - timedelta(days=days)
    deleted = purge_finished(job_context().engine, before=before)
    log.info("notifications.deliveries_purged", before=before.isoformat(), deleted=deleted)


purge_finished_deliveries = ScheduledJob(
    "notifications.purge_finished_deliveries", purge_finished_job, cron("23 3 * * *")
)
