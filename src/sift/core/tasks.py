"""The Celery app: Redis broker, one queue per service, safe retries, dead letters.

Tasks are named `service.domain.verb` and routed by that name: to the queue named by the
domain when it is one of NAMED_QUEUES (`search.ingest.document` -> `ingest`), else to the
service's queue (`identity.tokens.purge` -> `identity`). A name that fits neither is
refused when sent, so no task can wait on a queue that no worker reads.

Delivery is at least once (`acks_late`; a task whose worker dies is redelivered), so
tasks must be idempotent. Transient errors are retried with exponential backoff and
jitter; a task that fails for good (retries exhausted or a permanent error) leaves a
record in the dead-letter stream `<prefix>tasks:dead` for an admin to inspect or replay.

Enqueue from request code with `enqueue_after_commit(session, task, ...)`: the message
leaves only once the transaction commits, never for work that was rolled back.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import billiard.einfo
import httpx
import redis
import redis.exceptions
import sqlalchemy.exc
import structlog
from celery import Celery, Task, signals
from celery.canvas import Signature
from celery.utils import uuid
from kombu import Queue
from prometheus_client import Counter, Histogram
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from sift import SERVICES
from sift.core.config import CoreSettings, get_settings

log = structlog.get_logger()

NAMED_QUEUES: tuple[str, ...] = ("ingest", "deliver", "privacy")
DEFAULT_QUEUE = "default"  # Celery's own tasks only
ALL_QUEUES: tuple[str, ...] = (*SERVICES, *NAMED_QUEUES, DEFAULT_QUEUE)
DEAD_LETTER_STREAM = ("tasks", "dead")
REQUEST_ID_HEADER = "sift_request_id"
TRACEBACK_LIMIT = 8000


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


class TaskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_TASKS_", env_file=".env", extra="ignore")

    soft_time_limit: int = 300  # the task gets SoftTimeLimitExceeded and can clean up
    time_limit: int = 360  # then the worker process is killed
    # Redis redelivers an unacknowledged message after this: it must exceed the longest
    # task run and the longest retry countdown (retry_backoff_max), or work is duplicated.
    # A crashed worker's task comes back after this; above the hard time limit (360 s)
    # and the longest retry countdown (600 s) so that no live task is delivered twice.
    visibility_timeout: int = 900
    result_expires: int = 24 * 3600
    dead_letter_maxlen: int = 100_000
    # A worker process past this resident size is replaced after its current task (the
    # embedding model's allocator caches grow over thousands of documents); 0: never.
    max_memory_per_child_mib: int = Field(default=1400, ge=0)


def queue_for(task_name: str) -> str:
    """The queue of a task, from its `service.domain.verb` name."""
    if task_name.startswith("celery."):
        return DEFAULT_QUEUE
    parts = task_name.split(".")
    if len(parts) < 3 or parts[0] not in SERVICES or not all(parts):
        raise ValueError(f"task name {task_name!r} is not service.domain.verb")
    return parts[1] if parts[1] in NAMED_QUEUES else parts[0]


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **_: Any) -> Any:
    return {"queue": queue_for(name)}


def celery_config(settings: CoreSettings, tasks: TaskSettings) -> dict[str, Any]:
    # Every Celery key (queues, results, unacked sets) lives under the app's Redis prefix.
    prefix = {"global_keyprefix": settings.redis_prefix}
    return {
        "broker_url": settings.redis_url,
        "result_backend": settings.redis_url,
        "broker_transport_options": {**prefix, "visibility_timeout": tasks.visibility_timeout},
        "result_backend_transport_options": prefix,
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_max_memory_per_child": tasks.max_memory_per_child_mib * 1024 or None,
        "task_queues": [Queue(name) for name in ALL_QUEUES],
        "task_default_queue": DEFAULT_QUEUE,
        "task_create_missing_queues": False,
        "task_routes": (route_task,),
        "task_soft_time_limit": tasks.soft_time_limit,
        "task_time_limit": tasks.time_limit,
        # Tasks report through the database and the dead-letter stream. Storing results is
        # opt-in per task (ignore_result=False): each stored result also costs the sender a
        # Redis subscription until it is read.
        "task_ignore_result": True,
        "result_expires": tasks.result_expires,
        # Task events feed Flower and celery-exporter (Prometheus); "sent" events are left
        # off so that enqueueing costs web processes one publish, not two.
        "worker_send_task_events": True,
        "worker_hijack_root_logger": False,  # sift.core.logging owns the log format
        "enable_utc": True,
        "timezone": "UTC",
        "sift_redis_url": settings.redis_url,
        "sift_dead_letter_stream": settings.redis_key(*DEAD_LETTER_STREAM),
        "sift_dead_letter_maxlen": tasks.dead_letter_maxlen,
    }


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


# Typed as a plain Celery app so that it fits every API typed for one (workers, results).
celery_app: Celery[Task[Any, Any]] = Celery("sift", task_cls=SiftTask)
# Read the environment only when the app is first used, so that tests and the CLI can
# configure it first with configure_celery().
celery_app.add_defaults(lambda: celery_config(get_settings(), TaskSettings()))


@dataclass
class _Configured:
    settings: CoreSettings | None = None


_configured = _Configured()


def configure_celery(
    settings: CoreSettings, tasks: TaskSettings | None = None
) -> Celery[Task[Any, Any]]:
    """Points the app at `settings`' Redis; call before the app sends or consumes."""
    celery_app.conf.update(celery_config(settings, tasks or TaskSettings()))
    _configured.settings = settings
    return celery_app


def task_settings() -> CoreSettings:
    """The settings the Celery app runs with (for tasks that open sessions and clients)."""
    return _configured.settings or get_settings()


@lru_cache(maxsize=4)
def _dead_letter_redis(url: str) -> redis.Redis:
    # redis-py pools notice a fork and reconnect, so one client per URL serves each child.
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def _json(value: Any) -> str:
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
        "args": _json(list(args)),
        "kwargs": _json(kwargs),
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


# Prometheus: the worker exposes these (multiprocess mode under prefork).
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
_started: dict[str, float] = {}


@signals.before_task_publish.connect
def _propagate_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


@signals.task_prerun.connect
def _on_task_start(task_id: str, task: Task[Any, Any], **_: Any) -> None:
    _started[task_id] = time.perf_counter()
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


# --- enqueue after commit -------------------------------------------------------------

_PENDING_KEY = "sift.tasks.pending"
# One thread: broker I/O stays off the event loop, and a process's tasks keep their order.
_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sift-enqueue")
_in_flight: set[Future[None]] = set()


@dataclass(frozen=True)
class _Pending:
    owner: SessionTransaction | None  # the innermost transaction when it was enqueued
    signature: Signature[Any]


def enqueue_after_commit(
    session: AsyncSession | Session,
    task: Task[Any, Any] | Signature[Any],
    *args: Any,
    **kwargs: Any,
) -> str:
    """Sends `task(*args, **kwargs)` once `session`'s transaction commits; returns its ID.

    A rollback drops it, and so does rolling back the savepoint it was enqueued in. Pass
    a signature (`task.s(...).set(countdown=10)`) for send options.
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    _listen()
    if isinstance(task, Signature):
        if args or kwargs:
            raise TypeError("give the arguments in the signature, not beside it")
        signature = task.clone()
    else:
        signature = task.signature(args, kwargs)
    task_id = signature.options.get("task_id") or uuid()
    signature.set(task_id=task_id)
    queue_for(signature.task or "")  # a misnamed task fails here, in the request, not later
    if not sync.in_transaction():
        sync.begin()  # no I/O: only marks where the unit of work starts
    owner = sync.get_nested_transaction() or sync.get_transaction()
    sync.info.setdefault(_PENDING_KEY, []).append(_Pending(owner, signature))
    return str(task_id)


async def flush_enqueued() -> None:
    """Waits until every task released by a commit so far has reached the broker."""
    while _in_flight:
        await asyncio.gather(*(asyncio.wrap_future(f) for f in list(_in_flight)))


def _listen() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        event.listen(Session, "after_transaction_end", _after_transaction_end)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: its tasks now wait for the outer commit
    pending: list[_Pending] = session.info.pop(_PENDING_KEY, [])
    if pending:
        _publish([item.signature for item in pending])


def _within(owner: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    node = owner
    while node is not None:
        if node is transaction:
            return True
        node = node.parent
    return False


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    pending: list[_Pending] = session.info.get(_PENDING_KEY, [])
    if not pending:
        return
    session.info[_PENDING_KEY] = [
        item for item in pending if not _within(item.owner, previous_transaction)
    ]
    for item in pending:
        if _within(item.owner, previous_transaction):
            log.info("task.dropped_on_rollback", task=item.signature.task)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A session closed without commit or rollback ends its transaction: drop the rest.
    if transaction.parent is None:
        for item in session.info.pop(_PENDING_KEY, []):
            log.info("task.dropped_on_rollback", task=item.signature.task)


def _publish(signatures: list[Signature[Any]]) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _send(signatures)  # no event loop to keep free: send right here
        return
    context = contextvars.copy_context()  # carries the request ID into the thread
    future = _publisher.submit(context.run, _send, signatures)
    _in_flight.add(future)
    future.add_done_callback(_in_flight.discard)


def _send(signatures: list[Signature[Any]]) -> None:
    for signature in signatures:
        try:
            signature.apply_async()
        except Exception:
            # The transaction has committed; the task is lost unless someone re-sends it.
            log.exception(
                "task.enqueue_failed",
                task=signature.task,
                task_id=signature.options.get("task_id"),
                args=_json(list(signature.args)),
            )
