"""The search service's scheduled jobs: query log retention, re-embedding after a model change."""

from __future__ import annotations

from datetime import timedelta

from sift.core.scheduling import ScheduledJob, cron, job_context
from sift.core.tasks import celery_app
from sift.search.config import get_search_settings
from sift.search.querylog import purge_query_log


def purge_query_log_job() -> None:
    purge_query_log(
        job_context().engine,
        older_than=timedelta(days=get_search_settings().query_log_retention_days),
    )


def reembed_stale_job() -> None:
    """Asks an ingest worker (which has the embedding model) to queue stale versions."""
    celery_app.send_task("search.ingest.reembed_stale")


purge_query_log_hourly = ScheduledJob(
    "search.purge_query_log", purge_query_log_job, cron("17 * * * *")
)
# Queues re-embedding of versions indexed with another embedding model (after a change).
reembed_stale = ScheduledJob("search.reembed_stale", reembed_stale_job, cron("*/15 * * * *"))
