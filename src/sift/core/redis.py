"""One async Redis client per process."""

from __future__ import annotations

from redis.asyncio import Redis

from sift.core.config import CoreSettings


def create_redis(settings: CoreSettings) -> Redis:
    return Redis.from_url(
        settings.redis_url,
        decode_responses=False,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
    )
