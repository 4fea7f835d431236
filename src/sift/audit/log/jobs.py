"""The audit log's scheduled job: its retention."""

from __future__ import annotations

from datetime import timedelta

from sift.audit.config import get_audit_settings
from sift.audit.log.retention import purge_old_entries
from sift.core.scheduling import ScheduledJob, cron, job_context


def purge_audit_entries_job() -> None:
    context = job_context()
    days = get_audit_settings().log_retention_days
    context.run(purge_old_entries(context.database, older_than=timedelta(days=days)))


purge_audit_entries = ScheduledJob(
    "audit.purge_entries", purge_audit_entries_job, cron("23 2 * * *")
)
