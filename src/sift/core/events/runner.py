"""Entry points of consumer group members: a whole process, or one batch (tests, scripts)."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.consumer import Consumer
from sift.core.events.handling import ConsumeStats
from sift.core.events.worker import ConsumerWorker
from sift.core.redis import create_redis


async def consume_once(
    consumer: Consumer,
    *,
    database: Database,
    redis: Redis,
    settings: CoreSettings,
    name: str,
    block_ms: int | None = None,
    batch_size: int = 100,
) -> ConsumeStats:
    """One batch for member `name` of `consumer`'s group (tests, one-off scripts)."""
    worker = ConsumerWorker(
        consumer,
        database=database,
        redis=redis,
        settings=settings,
        name=name,
        batch_size=batch_size,
    )
    return await worker.consume_once(block_ms=block_ms)


async def run_consumer(
    settings: CoreSettings,
    consumer: Consumer,
    *,
    stop: asyncio.Event | None = None,
    name: str | None = None,
) -> None:
    """A consumer process: own engine and Redis client; returns once `stop` is set.

    The caller sets `stop` on SIGTERM (graceful: the batch in hand is finished and acked).
    """
    database = Database(
        settings.sqlalchemy_url, pool_size=2, statement_timeout_ms=settings.db_statement_timeout_ms
    )
    redis = create_redis(settings)
    try:
        worker = ConsumerWorker(
            consumer, database=database, redis=redis, settings=settings, name=name
        )
        await worker.run(stop or asyncio.Event())
    finally:
        await redis.aclose()
        await database.dispose()
