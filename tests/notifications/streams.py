"""Helpers of the live-feed tests: a replica of the service over real HTTP, an SSE reader."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn

from sift.runtime.embedded_postgres import free_port
from tests.notifications.inapp import Caller, Inbox, notifications_app


@asynccontextmanager
async def replica(inbox: Inbox, **config: Any) -> AsyncIterator[httpx.AsyncClient]:
    """One more instance of the service, over real HTTP, on the test's Redis and database."""
    app = notifications_app(inbox.settings, inbox.key, **config)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        await task


class Feed:
    """Reads server-sent events off an open response, a block at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def block(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        async with asyncio.timeout(10):
            async for line in self._lines:
                if line == "":
                    if fields:
                        return fields
                    continue
                name, _, value = line.partition(":")
                fields[name or "comment"] = value.removeprefix(" ")
        raise AssertionError("the stream ended")

    async def event(self) -> dict[str, str]:
        """The next event, past heartbeat comments."""
        while "event" not in (block := await self.block()):
            pass
        return block


@asynccontextmanager
async def feed(
    client: httpx.AsyncClient, caller: Caller, last_event_id: str | None = None
) -> AsyncIterator[Feed]:
    headers = dict(caller.headers)
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    async with client.stream("GET", "/api/notifications/stream", headers=headers) as response:
        assert response.status_code == 200
        yield Feed(response)
