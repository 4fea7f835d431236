"""The providers' circuits on the assistant's /metrics (the provider-circuit-open alert)."""

from __future__ import annotations

import re

from redis.asyncio import Redis

from sift.core.config import CoreSettings
from tests.conftest import ClientFactory


async def test_an_open_circuit_is_reported_per_provider(
    service_client: ClientFactory, redis: Redis, settings: CoreSettings
) -> None:
    await redis.hset(settings.redis_key("assistant:breaker:local"), mapping={"state": "open"})
    async with service_client("assistant") as client:
        metrics = (await client.get("/metrics")).text
    line = r'^sift_provider_circuit_open\{provider="(\w+)"\} (\S+)$'
    found = dict(re.findall(line, metrics, re.MULTILINE))
    assert found.pop("local") == "1.0"
    assert found and set(found.values()) == {"0.0"}, metrics
