"""The digest job: hourly, so that each user's digest goes soon after `DIGEST_HOUR` in
their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from sift.core.scheduling import ScheduledJob, cron, job_context
from sift.core.tasks import flush_enqueued
from sift.notifications.config import get_notifications_settings
from sift.notifications.preferences.digest import make_digests

log = structlog.get_logger()


async def _digests() -> int:
    config = get_notifications_settings().delivery
    made = await make_digests(
        job_context().database, now=datetime.now(UTC), max_attempts=config.max_attempts
    )
    await flush_enqueued()  # the scheduler's loop must not close with messages unsent
    return made


def send_digests_job() -> None:
    made = job_context().run(_digests())
    log.info("scheduler.digests_made", count=made)


send_digests = ScheduledJob("notifications.send_digests", send_digests_job, cron("5 * * * *"))
