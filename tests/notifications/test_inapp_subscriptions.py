"""The process's one subscription survives Redis dropping its connection."""

from __future__ import annotations

import asyncio
import uuid

from redis.asyncio import Redis

from sift.core.config import CoreSettings
from sift.notifications.inapp.fanout import NotificationBus, Signal
from sift.notifications.inapp.subscriptions import Subscriptions


async def test_a_dropped_connection_wakes_the_streams_and_subscribes_again(
    settings: CoreSettings, redis: Redis
) -> None:
    name = f"sift-test-subscriptions-{uuid.uuid4().hex[:8]}"
    own = Redis.from_url(settings.redis_url, client_name=name)
    subscriptions = Subscriptions(own)
    bus = NotificationBus(settings, redis)
    user = uuid.uuid4()
    try:
        async with subscriptions.listen(bus.channel(user)) as woken:
            assert subscriptions.channels == {bus.channel(user)}
            await bus.publish(user, Signal("notification"))
            await asyncio.wait_for(woken.wait(), timeout=5)
            woken.clear()

            # Only this test's connection (by its name): the Redis is shared.
            clients = await redis.client_list()
            [ours] = [client for client in clients if client.get("name") == name]
            await redis.client_kill_filter(_id=ours["id"])
            await asyncio.wait_for(woken.wait(), timeout=5)  # told to read the table
            woken.clear()

            for _ in range(100):  # the reader reconnects and subscribes again
                [(_, count)] = await redis.pubsub_numsub(bus.channel(user))
                if count == 1:
                    break
                await asyncio.sleep(0.05)
            await bus.publish(user, Signal("read"))
            await asyncio.wait_for(woken.wait(), timeout=5)
        assert subscriptions.channels == set()
    finally:
        await subscriptions.close()
        await own.aclose()
