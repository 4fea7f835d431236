"""What a run measures (its sizes and results), and waiting for a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sizes:
    latency_events: int
    streams: int
    burst: int
    mails: int


FULL = Sizes(latency_events=200, streams=1000, burst=10_000, mails=200)
QUICK = Sizes(latency_events=30, streams=100, burst=1_000, mails=20)


@dataclass
class Results:
    load: dict[str, float] = field(default_factory=dict)
    latency_few: list[float] = field(default_factory=list)
    latency_many: list[float] = field(default_factory=list)
    lost_few: int = 0
    lost_many: int = 0
    streams_open: int = 0
    streams_failed: list[str] = field(default_factory=list)
    streams_refused: int = 0
    rss_idle_mib: float = 0.0
    rss_streams_mib: float = 0.0
    rss_peak_mib: float = 0.0
    burst_commit_s: float = 0.0
    burst_stored_s: float | None = None
    burst_rows: int = 0
    burst_distinct: int = 0
    burst_cpu: dict[str, float] = field(default_factory=dict)
    mail_latency: list[float] = field(default_factory=list)
    mails_missing: int = 0


async def until(check: Callable[[], Awaitable[bool]], within: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(every)
    return False
