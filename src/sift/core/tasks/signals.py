"""Celery signal handlers: request IDs carried into tasks, logs and metrics of each run."""

from __future__ import annotations

import time
from typing import Any

import structlog
from celery import Task, signals

from sift.core.tasks.metrics import TASK_DURATION, TASK_RETRIES, TASK_RUNS, TASK_STARTED

log = structlog.get_logger()

REQUEST_ID_HEADER = "sift_request_id"
_started: dict[str, float] = {}


@signals.before_task_publish.connect
def _propagate_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


@signals.task_prerun.connect
def _on_task_start(task_id: str, task: Task[Any, Any], **_: Any) -> None:
    _started[task_id] = time.perf_counter()
    TASK_STARTED.labels(task=task.name).inc()
    context: dict[str, Any] = {"task_id": task_id, "task": task.name}
    request_id = getattr(task.request, REQUEST_ID_HEADER, None)
    if request_id:
        context["request_id"] = request_id
    structlog.contextvars.bind_contextvars(**context)
    log.debug("task.started", retries=task.request.retries)


@signals.task_postrun.connect
def _on_task_end(task_id: str, task: Task[Any, Any], state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id, None)
    duration = time.perf_counter() - started if started is not None else 0.0
    TASK_RUNS.labels(task=task.name, state=state or "UNKNOWN").inc()
    TASK_DURATION.labels(task=task.name).observe(duration)
    log.info("task.finished", state=state, duration_ms=round(duration * 1000, 1))
    structlog.contextvars.unbind_contextvars("task_id", "task", "request_id")


@signals.task_retry.connect
def _on_task_retry(request: Any = None, reason: Any = None, **_: Any) -> None:
    name = getattr(request, "task", None) or "unknown"
    TASK_RETRIES.labels(task=name).inc()
    log.warning(
        "task.retry",
        retries=getattr(request, "retries", None),
        reason=type(reason).__name__ if isinstance(reason, BaseException) else str(reason),
    )


@signals.task_failure.connect
def _on_task_failure(exception: BaseException | None = None, **_: Any) -> None:
    log.error("task.failed", error_type=type(exception).__name__, error=str(exception))
