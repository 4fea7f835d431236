"""Prometheus series of the scheduler's jobs, from APScheduler's job events (served by
`sift scheduler` on its metrics port)."""

from __future__ import annotations

import time

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.schedulers.base import BaseScheduler
from prometheus_client import Counter, Gauge

JOB_RUNS = Counter(
    "sift_scheduler_job_runs_total",
    "Scheduled job runs by outcome (succeeded, failed, missed: too late to run)",
    ("job_id", "outcome"),
)
JOB_LAST_SUCCESS = Gauge(
    "sift_scheduler_job_last_success_timestamp_seconds",
    "When the job last finished without an error (Unix seconds)",
    ("job_id",),
)
_OUTCOMES = {EVENT_JOB_EXECUTED: "succeeded", EVENT_JOB_ERROR: "failed", EVENT_JOB_MISSED: "missed"}


def record_job_event(event: JobExecutionEvent) -> None:
    outcome = _OUTCOMES.get(event.code)
    if outcome is None:
        return
    JOB_RUNS.labels(event.job_id, outcome).inc()
    if outcome == "succeeded":
        JOB_LAST_SUCCESS.labels(event.job_id).set(time.time())


def observe_jobs(scheduler: BaseScheduler) -> None:
    scheduler.add_listener(
        record_job_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
    )
