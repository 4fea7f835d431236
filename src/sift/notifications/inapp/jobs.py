"""The in-app channel's scheduled job: retention of notifications, addresses and uploads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog

from sift.core.db import Database
from sift.core.scheduling import ScheduledJob, cron, job_context
from sift.notifications.config import NotificationsSettings, get_notifications_settings
from sift.notifications.inapp.repository import (
    document_upload_repository,
    known_sign_in_repository,
    notification_repository,
)

log = structlog.get_logger()


async def prune_in_app(
    database: Database, config: NotificationsSettings, *, now: datetime
) -> dict[str, int]:
    """Deletes what is past its retention (`SIFT_NOTIFICATIONS_*_RETENTION_DAYS`); counts."""

    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    async with database.sessionmaker() as session, session.begin():
        return {
            "notifications": await notification_repository.prune(
                session,
                read_before=ago(config.read_retention_days),
                before=ago(config.retention_days),
            ),
            "sign_in_addresses": await known_sign_in_repository.prune(
                session, before=ago(config.sign_in_retention_days)
            ),
            "uploads": await document_upload_repository.prune(
                session, before=ago(config.upload_retention_days)
            ),
        }


def prune_in_app_job() -> None:
    context = job_context()
    config = get_notifications_settings()
    counts = context.run(prune_in_app(context.database, config, now=datetime.now(UTC)))
    log.info("scheduler.notifications_pruned", **counts)


prune_daily = ScheduledJob("notifications.prune", prune_in_app_job, cron("37 3 * * *"))
