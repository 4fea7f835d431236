"""Gauges read when Prometheus scrapes a service: backlogs that no counter can show.

A counter says what a process did; when the process is dead it says nothing. What waits
(unpublished outbox rows, queued tasks, dead letters, the age of the last backup) is read
from PostgreSQL and Redis at scrape time by the service, which stays up when a worker, the
relay or a consumer is down.
"""

from __future__ import annotations

import shutil
from typing import Any

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import column, func, select, table

from sift.core.config import CoreSettings
from sift.core.events.bus import dead_letter_key
from sift.core.tasks.dead_letters import DEAD_LETTER_STREAM
from sift.core.tasks.routing import ALL_QUEUES

# Set by `sift backup` when a backup is complete (Unix seconds).
BACKUP_LAST_SUCCESS_KEY = ("backup", "last_success")


def backup_key(settings: CoreSettings) -> str:
    return settings.redis_key(*BACKUP_LAST_SUCCESS_KEY)


class BacklogGauges:
    """Every service's share: its outbox, the task queues, the dead letters, the backup."""

    def __init__(self, service: str, registry: CollectorRegistry) -> None:
        self.service = service
        self.outbox_pending = Gauge(
            "sift_outbox_unpublished_events",
            "Outbox rows committed and not yet published by the relay",
            ("service",),
            registry=registry,
        )
        self.outbox_age = Gauge(
            "sift_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest unpublished outbox row (0: none waits)",
            ("service",),
            registry=registry,
        )
        self.queue_depth = Gauge(
            "sift_task_queue_depth",
            "Tasks waiting in a Celery queue (not yet taken by a worker)",
            ("queue",),
            registry=registry,
        )
        self.dead_letters = Gauge(
            "sift_dead_letter_stream_length",
            "Entries in a dead-letter stream (events or tasks)",
            ("stream",),
            registry=registry,
        )
        self.backup_time = Gauge(
            "sift_backup_last_success_timestamp_seconds",
            "When the last complete `sift backup` finished (0: never)",
            registry=registry,
        )
        self.disk = Gauge(
            "sift_data_dir_filesystem_bytes",
            "The file system of the data directory (embedded PostgreSQL, local storage)",
            ("kind",),
            registry=registry,
        )

    async def refresh(self, app: Any) -> None:
        settings: CoreSettings = app.state.settings
        async with app.state.database.sessionmaker() as session:
            outbox = table(
                "outbox", column("created_at"), column("published_at"), schema=self.service
            )
            oldest = func.extract("epoch", func.now() - func.min(outbox.c.created_at))
            row = (
                await session.execute(
                    select(func.count(), func.coalesce(oldest, 0))
                    .select_from(outbox)
                    .where(outbox.c.published_at.is_(None))
                )
            ).one()
        self.outbox_pending.labels(self.service).set(row[0])
        self.outbox_age.labels(self.service).set(float(row[1]))
        redis = app.state.redis
        async with redis.pipeline(transaction=False) as pipe:
            for queue in ALL_QUEUES:
                pipe.llen(settings.redis_key(queue))
            pipe.xlen(dead_letter_key(settings))
            pipe.xlen(settings.redis_key(*DEAD_LETTER_STREAM))
            pipe.get(backup_key(settings))
            answers = await pipe.execute()
        for queue, depth in zip(ALL_QUEUES, answers, strict=False):
            self.queue_depth.labels(queue).set(depth)
        self.dead_letters.labels("events").set(answers[len(ALL_QUEUES)])
        self.dead_letters.labels("tasks").set(answers[len(ALL_QUEUES) + 1])
        last_backup = answers[len(ALL_QUEUES) + 2]
        self.backup_time.set(float(last_backup) if last_backup else 0.0)
        if settings.data_dir.is_dir():  # absent in a container whose data lives elsewhere
            usage = shutil.disk_usage(settings.data_dir)
            self.disk.labels("available").set(usage.free)
            self.disk.labels("size").set(usage.total)
