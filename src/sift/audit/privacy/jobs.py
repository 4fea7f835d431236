"""The privacy requests' scheduled job: expired export archives leave storage."""

from __future__ import annotations

from sift.audit.privacy.retention import purge_expired_exports
from sift.core.scheduling import ScheduledJob, cron, job_context


def purge_expired_exports_job() -> None:
    context = job_context()
    context.run(purge_expired_exports(context.database, context.storage))


purge_expired_exports_hourly = ScheduledJob(
    "audit.purge_expired_exports", purge_expired_exports_job, cron("29 * * * *")
)
