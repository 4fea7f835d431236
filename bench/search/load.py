"""Load patterns for the search benchmark: one client, a closed loop, an open loop.

- single: one client, one request at a time: the engine's own cost (plus the gateway).
- closed: N clients, each sends its next request when the previous answers (no think
  time): the stack's throughput; latency ≈ N / throughput once it saturates.
- open: N users, each sending a query about every `interval` seconds (uniform jitter of
  ±50 %) whether or not their previous one has answered: a team's realistic offered
  load. Latency counts from the scheduled send time, so a stalled stack cannot hide its
  queue by slowing the senders (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from stack import Client

from sift.search.evaluation.metrics import percentile

LIMIT = 20  # results per page, as the web app asks


@dataclass
class Run:
    mode: str
    pattern: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    took: list[float] = field(default_factory=list)  # the engine's own `took_ms`
    errors: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "pattern": self.pattern,
            "clients": self.clients,
            "requests": len(self.latencies),
            "errors": self.errors,
            "throughput": len(self.latencies) / self.seconds if self.seconds else 0.0,
            "p50": percentile(self.latencies, 50),
            "p95": percentile(self.latencies, 95),
            "p99": percentile(self.latencies, 99),
            "took_p50": percentile(self.took, 50),
            "took_p95": percentile(self.took, 95),
        }


async def _one(client: Client, run: Run, query: str, started: float) -> None:
    body = {"query": query, "mode": run.mode, "limit": LIMIT}
    response = await client.call("POST", "/api/search", json=body)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code == 200:
        run.latencies.append(elapsed)
        run.took.append(float(response.json().get("took_ms") or 0))
    else:
        run.errors += 1


async def warm_up(client: Client, mode: str, queries: Iterator[str], count: int) -> None:
    """Not measured: fills connection pools (the first semantic query loads the model)."""
    for _ in range(count):
        body = {"query": next(queries), "mode": mode, "limit": LIMIT}
        await client.call("POST", "/api/search", json=body, timeout=600)


async def closed_loop(
    client: Client, mode: str, queries: Iterator[str], clients: int, seconds: float
) -> Run:
    run = Run(mode, "closed" if clients > 1 else "single", clients)
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        while time.perf_counter() < deadline:
            await _one(client, run, next(queries), time.perf_counter())

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    run.seconds = time.perf_counter() - started
    return run


async def open_loop(
    client: Client,
    mode: str,
    queries: Iterator[str],
    users: int,
    seconds: float,
    *,
    interval: float,
    seed: int = 7,
) -> Run:
    run = Run(mode, "open", users)
    rng = random.Random(seed)
    started = time.perf_counter()
    deadline = started + seconds
    in_flight: set[asyncio.Task[None]] = set()

    async def user() -> None:
        at = started + rng.uniform(0, interval)  # users do not start in step
        while at < deadline:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            task = asyncio.create_task(_one(client, run, next(queries), at))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            at += interval * rng.uniform(0.5, 1.5)

    await asyncio.gather(*(user() for _ in range(users)))
    if in_flight:
        await asyncio.gather(*in_flight)
    run.seconds = time.perf_counter() - started
    return run


def cycle(queries: list[str], offset: int = 0) -> Iterator[str]:
    """The queries in a fixed order, each pattern starting elsewhere in the list."""
    start = offset % len(queries)
    return itertools.cycle(queries[start:] + queries[:start])
