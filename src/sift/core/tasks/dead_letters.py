"""The dead-letter stream: one record per task that failed for good, for an admin to inspect."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import redis
import redis.exceptions
import structlog
from celery import Celery

from sift.core.tasks.metrics import TASK_DEAD_LETTERS

log = structlog.get_logger()

DEAD_LETTER_STREAM = ("tasks", "dead")
TRACEBACK_LIMIT = 8000


@lru_cache(maxsize=4)
def _dead_letter_redis(url: str) -> redis.Redis:
    # redis-py pools notice a fork and reconnect, so one client per URL serves each child.
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def compact_json(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))


def record_dead_letter(
    app: Celery,
    *,
    task_name: str,
    task_id: str,
    args: Iterable[Any],
    kwargs: dict[str, Any],
    error: BaseException,
    traceback_text: str,
    retries: int,
    reason: str,
    queue: str | None,
) -> None:
    """Appends the failed task to the dead-letter stream; never raises."""
    fields = {
        "task": task_name,
        "task_id": task_id,
        "args": compact_json(list(args)),
        "kwargs": compact_json(kwargs),
        "error_type": type(error).__name__,
        "error": str(error)[:2000],
        "traceback": traceback_text[-TRACEBACK_LIMIT:],
        "retries": str(retries),
        "reason": reason,
        "queue": queue or "",
        "failed_at": datetime.now(UTC).isoformat(),
    }
    conf = app.conf
    try:
        _dead_letter_redis(conf["sift_redis_url"]).xadd(
            conf["sift_dead_letter_stream"],
            fields,  # type: ignore[arg-type]  # str values; redis-py's type is too narrow
            maxlen=conf["sift_dead_letter_maxlen"],
            approximate=True,
        )
    except redis.exceptions.RedisError:
        # The log line is then the only trace of the task: make it complete.
        log.exception("task.dead_letter_failed", **fields)
        return
    TASK_DEAD_LETTERS.labels(task=task_name, reason=reason).inc()
    log.error("task.dead_lettered", task=task_name, task_id=task_id, reason=reason, retries=retries)
