"""Open live feeds are listening clients, not requests in progress: a replica holds more of
them than its in-flight request limit, and still serves requests beside them."""

from __future__ import annotations

import asyncio
import copy

import httpx

from sift.core.config import OverloadSettings
from tests.notifications.inapp import Caller, Inbox, inbox, signing_key
from tests.notifications.streams import replica

__all__ = ["inbox", "signing_key"]  # fixtures


async def test_open_streams_do_not_count_against_the_request_limit(inbox: Inbox) -> None:
    limited = copy.copy(inbox)
    limited.settings = inbox.settings.model_copy(
        update={"overload": OverloadSettings(max_concurrent_requests=2)}
    )
    callers = [inbox.caller() for _ in range(5)]
    statuses: list[int] = []
    listening = asyncio.Event()

    async def listen(client: httpx.AsyncClient, caller: Caller) -> None:
        # As a browser's EventSource does: it reads the stream for as long as it is open.
        async with client.stream(
            "GET", "/api/notifications/stream", headers=caller.headers
        ) as response:
            statuses.append(response.status_code)
            listening.set()
            async for _ in response.aiter_lines():
                pass

    async with replica(limited) as client:
        listeners = []
        try:
            for caller in callers:  # one after the other: each listening before the next
                listening.clear()
                listeners.append(asyncio.create_task(listen(client, caller)))
                await asyncio.wait_for(listening.wait(), timeout=10)
            # Before, the third got 503 and kept getting it while the first two listened.
            assert statuses == [200] * 5
            answer = await client.get("/api/notifications", headers=callers[0].headers)
            assert answer.status_code == 200, answer.text
        finally:
            for listener in listeners:
                listener.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)
