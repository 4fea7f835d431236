"""The base task: transient errors are retried with backoff, then a dead letter is recorded."""

from __future__ import annotations

from typing import Any

import billiard.einfo
import httpx
import redis.exceptions
import sqlalchemy.exc
from celery import Task

from sift.core.tasks.dead_letters import record_dead_letter


class TransientError(Exception):
    """Raise it from a task for a failure worth retrying (a 429 from a provider, ...)."""


# Failures that usually heal by themselves: network, broker, database connection.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    TransientError,
    ConnectionError,
    TimeoutError,
    httpx.TransportError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
)


class SiftTask(Task[Any, Any]):
    """Retries transient errors with backoff, then records a dead letter."""

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2  # seconds before the first retry, doubling each time
    retry_backoff_max = 600  # below the broker's visibility timeout
    retry_jitter = True
    max_retries = 5
    acks_late = True
    reject_on_worker_lost = True

    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: billiard.einfo.ExceptionInfo,
    ) -> None:
        retries = self.request.retries
        exhausted = isinstance(exc, tuple(self.autoretry_for)) and retries >= (
            self.max_retries or 0
        )
        record_dead_letter(
            self.app,
            task_name=self.name,
            task_id=task_id,
            args=args,
            kwargs=kwargs,
            error=exc,
            traceback_text=str(einfo.traceback or ""),
            retries=retries,
            reason="retries-exhausted" if exhausted else "failed",
            queue=(self.request.delivery_info or {}).get("routing_key"),
        )
