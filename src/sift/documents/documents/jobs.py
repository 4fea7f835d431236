"""The documents' scheduled jobs: deletions a crash interrupted, blobs no version names."""

from __future__ import annotations

from datetime import timedelta

import structlog

from sift.core.scheduling import ScheduledJob, cron, job_context
from sift.documents.documents.cleanup import purge_pending, sweep_orphans

log = structlog.get_logger()

# Far above any upload's duration: a younger blob may belong to an upload still in flight.
ORPHAN_GRACE = timedelta(hours=6)


def purge_deleted_documents_job() -> None:
    """Finishes document deletions that a crash interrupted (files, then rows)."""
    context = job_context()
    purged = context.run(purge_pending(context.database, context.storage))
    log.info("scheduler.documents_purged", documents=purged)


def sweep_orphan_blobs_job() -> None:
    context = job_context()
    context.run(sweep_orphans(context.database, context.storage, grace=ORPHAN_GRACE))


purge_deleted = ScheduledJob(
    "documents.purge_deleted", purge_deleted_documents_job, cron("*/10 * * * *")
)
sweep_orphan_blobs = ScheduledJob(
    "documents.sweep_orphans", sweep_orphan_blobs_job, cron("41 * * * *")
)
