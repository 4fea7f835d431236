"""Which queue a task goes to, from its `service.domain.verb` name."""

from __future__ import annotations

from typing import Any

from sift import SERVICES

# Domains with a queue of their own. Only `ingest` has tasks today; `deliver` and `privacy`
# are declared so that notification delivery and privacy work get their own workers.
NAMED_QUEUES: tuple[str, ...] = ("ingest", "deliver", "privacy")
DEFAULT_QUEUE = "default"  # Celery's own tasks only
ALL_QUEUES: tuple[str, ...] = (*SERVICES, *NAMED_QUEUES, DEFAULT_QUEUE)


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
