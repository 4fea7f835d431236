"""The documents' scheduled jobs: deletions a crash interrupted, blobs no version names."""

from __future__ import annotations

from datetime import timedelta

import structlog

from sift.core.scheduling import ScheduledJob, cron, job_context
from sift.documents.config import get_documents_settings
from sift.documents.documents.cleanup import purge_pending, sweep_orphans

log = structlog.get_logger()


def purge_deleted_documents_job() -> None:
    """Finishes document deletions that a crash interrupted (files, then rows)."""
    context = job_context()
    purged = context.run(purge_pending(context.database, context.storage))
    log.info("scheduler.documents_purged", documents=purged)


def sweep_orphan_blobs_job() -> None:
    context = job_context()
    grace = timedelta(hours=get_documents_settings().orphan_blob_grace_hours)
    context.run(sweep_orphans(context.database, context.storage, grace=grace))


purge_deleted = ScheduledJob(
    "documents.purge_deleted", purge_deleted_documents_job, cron("*/10 * * * *")
)
sweep_orphan_blobs = ScheduledJob(
    "documents.sweep_orphans", sweep_orphan_blobs_job, cron("41 * * * *")
)
