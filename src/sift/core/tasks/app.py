"""The Celery app: Redis broker, its configuration, and where tasks find their settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from celery import Celery, Task
from kombu import Queue

from sift.core.config import CoreSettings, get_settings
from sift.core.tasks.base import SiftTask
from sift.core.tasks.dead_letters import DEAD_LETTER_STREAM
from sift.core.tasks.routing import ALL_QUEUES, DEFAULT_QUEUE, route_task
from sift.core.tasks.settings import TaskSettings


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
        # Workers send task events, so `celery events` (or Flower) can watch them; "sent"
        # events are left off so that enqueueing costs web processes one publish, not two.
        "worker_send_task_events": True,
        "worker_hijack_root_logger": False,  # sift.core.logging owns the log format
        "enable_utc": True,
        "timezone": "UTC",
        "sift_redis_url": settings.redis_url,
        "sift_dead_letter_stream": settings.redis_key(*DEAD_LETTER_STREAM),
        "sift_dead_letter_maxlen": tasks.dead_letter_maxlen,
    }


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
