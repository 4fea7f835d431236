"""Periodic jobs: each service declares its own, `sift scheduler` runs them all.

A service declares `ScheduledJob`s at module level in a `jobs` module of any of its
domains (as it declares consumers in `consumers` modules); the runtime collects them. A
job is a module-level function without arguments (the job store keeps it by name) that
finds what it needs in `job_context()`: the scheduler process's engines, made once per
process, and its settings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, TypeVar

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.storage import Storage

T = TypeVar("T")


def cron(expression: str) -> CronTrigger:
    """A trigger from a crontab expression, in UTC."""
    return CronTrigger.from_crontab(expression, timezone=UTC)


@dataclass(frozen=True)
class ScheduledJob:
    id: str  # `service.verb`: the job store's key
    func: Callable[..., None]  # module-level, so that the job store can reference it by name
    trigger: BaseTrigger  # `cron("17 * * * *")` for most
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobContext:
    """What the jobs of one scheduler process share."""

    settings: CoreSettings
    engine: Engine  # synchronous: purges in small transactions
    database: Database  # asynchronous, bound to `loop`
    storage: Storage
    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Runs `coroutine` on the process's event loop (jobs run in the scheduler's threads)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


@dataclass
class _Current:
    context: JobContext | None = None


_current = _Current()


def job_context() -> JobContext:
    if _current.context is None:
        raise RuntimeError("scheduled jobs run inside the scheduler (sift scheduler)")
    return _current.context


def set_job_context(context: JobContext | None) -> None:
    _current.context = context


def purge_in_batches(engine: Engine, build: Callable[[], Any], batch_size: int) -> int:
    """Runs the DELETE that `build` makes until it removes fewer than `batch_size` rows.

    Small transactions: a large purge never holds locks or bloats WAL in one go.
    """
    total = 0
    while True:
        with engine.begin() as connection:
            deleted: int = connection.execute(build()).rowcount
        total += deleted
        if deleted < batch_size:
            return total
