"""Prometheus metrics of task runs (the worker exposes them, multiprocess mode under prefork)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

TASK_STARTED = Counter("sift_task_started_total", "Task executions begun", ["task"])
TASK_RUNS = Counter("sift_task_runs_total", "Task executions by outcome", ["task", "state"])
TASK_DURATION = Histogram(
    "sift_task_duration_seconds",
    "Task run time",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
TASK_RETRIES = Counter("sift_task_retries_total", "Task retries scheduled", ["task"])
TASK_DEAD_LETTERS = Counter(
    "sift_task_dead_letters_total", "Tasks that failed for good", ["task", "reason"]
)
