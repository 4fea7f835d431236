"""Event committed -> on an open SSE stream, with few streams and with many (RSS too)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid

import httpx
import psutil
from results import Results, Sizes, until
from stack import Stack

from sift.contracts.events.search import SavedSearchMatched
from sift.core.db import Database
from sift.core.events.outbox import publish
from sift.search.models import OutboxEvent as SearchOutbox


class Listeners:
    """SSE streams of many users; when each notification (known by its link) arrived."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.client = httpx.AsyncClient(
            base_url=stack.api_url,
            timeout=httpx.Timeout(10, read=None),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
        )
        self.arrived: dict[str, float] = {}
        self.established = 0
        self.failed: list[str] = []
        self.refused = 0
        self.tasks: list[asyncio.Task[None]] = []

    def open(self, user_id: uuid.UUID, org_id: uuid.UUID) -> None:
        self.tasks.append(asyncio.create_task(self._listen(user_id, org_id)))

    async def _listen(self, user_id: uuid.UUID, org_id: uuid.UUID) -> None:
        headers = {
            "Authorization": f"Bearer {self.stack.keys.token(user_id, org_id)}",
            "Accept": "text/event-stream",
        }
        try:
            # As EventSource does: a refusal (503 while too many requests are in progress,
            # the replica shedding load) is retried after `Retry-After`.
            for _ in range(30):
                async with self.client.stream(
                    "GET", "/api/notifications/stream", headers=headers
                ) as response:
                    if response.status_code == 503:
                        self.refused += 1
                        retry = float(response.headers.get("Retry-After", "1"))
                        await asyncio.sleep(retry * random.uniform(0.5, 1.5))
                        continue
                    if response.status_code != 200:
                        self.failed.append(f"HTTP {response.status_code}")
                        return
                    await self._read(response)
                    return
            self.failed.append("refused 30 times")
        except httpx.HTTPError as exc:
            self.failed.append(type(exc).__name__)

    async def _read(self, response: httpx.Response) -> None:
        event, first = "", True
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "notification":
                link = json.loads(line[5:])["link"]
                self.arrived.setdefault(link, time.time())
            elif not line and event:
                if first:  # the stream's first event: it is listening
                    self.established += 1
                    first = False
                event = ""

    async def until_established(self, count: int, within: float) -> None:
        async def settled() -> bool:
            return self.established + len(self.failed) >= count

        await until(settled, within)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.aclose()


async def commit_match(database: Database, user_id: uuid.UUID, org_id: uuid.UUID) -> str:
    """What search commits when a saved search matches; the notification's link names it."""
    document_id = uuid.uuid4()
    payload = SavedSearchMatched(
        saved_search_id=uuid.uuid4(),
        user_id=user_id,
        document_id=document_id,
        collection_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        match_count=1,
    )
    async with database.sessionmaker() as session, session.begin():
        await publish(session, SearchOutbox, payload, producer="search", org_id=org_id)
    return f"/documents/{document_id}"


async def event_to_stream(
    database: Database,
    listeners: Listeners,
    users: list[uuid.UUID],
    org_id: uuid.UUID,
    events: int,
    interval: float,
) -> tuple[list[float], int]:
    """Latencies (s) of `events` matches for `users` in turn, and how many never arrived."""
    committed: dict[str, float] = {}
    for index in range(events):
        link = await commit_match(database, users[index % len(users)], org_id)
        committed[link] = time.time()
        await asyncio.sleep(interval)

    async def all_arrived() -> bool:
        return all(link in listeners.arrived for link in committed)

    await until(all_arrived, within=60)
    latencies = [
        listeners.arrived[link] - at for link, at in committed.items() if link in listeners.arrived
    ]
    return latencies, len(committed) - len(latencies)


def rss_mib(stack: Stack) -> float:
    return psutil.Process(stack.processes["api"].pid).memory_info().rss / 2**20


async def phase_streams(stack: Stack, database: Database, sizes: Sizes, results: Results) -> None:
    org_id = uuid.uuid4()
    few = Listeners(stack)
    users = [uuid.uuid4() for _ in range(10)]
    for user in users:
        few.open(user, org_id)
    await few.until_established(len(users), within=60)
    # Warm-up: the relay, the consumer group and the API all up before anything is timed.
    warm = await commit_match(database, users[0], org_id)

    async def warmed() -> bool:
        return warm in few.arrived

    if not await until(warmed, within=120):
        raise RuntimeError("no notification reached a stream in 120 s: see the logs")
    results.rss_idle_mib = rss_mib(stack)
    results.load["latency (10 streams)"] = os.getloadavg()[0]
    results.latency_few, results.lost_few = await event_to_stream(
        database, few, users, org_id, sizes.latency_events, interval=0.05
    )
    await few.close()

    many = Listeners(stack)
    crowd = [uuid.uuid4() for _ in range(sizes.streams)]
    peak = 0.0
    for start in range(0, len(crowd), 100):  # in waves, as clients come back after a deploy
        for user in crowd[start : start + 100]:
            many.open(user, org_id)
        await many.until_established(start + len(crowd[start : start + 100]), within=60)
        peak = max(peak, rss_mib(stack))
    results.streams_open = many.established
    results.streams_failed = many.failed
    results.streams_refused = many.refused
    await asyncio.sleep(2)
    results.rss_streams_mib = rss_mib(stack)
    results.load[f"latency ({sizes.streams} streams)"] = os.getloadavg()[0]
    results.latency_many, results.lost_many = await event_to_stream(
        database, many, crowd, org_id, sizes.latency_events, interval=0.05
    )
    results.rss_peak_mib = max(peak, rss_mib(stack))
    await many.close()
