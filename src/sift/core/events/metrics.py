"""Prometheus series of the event pipeline (default registry: relay and consumer processes)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram
from redis.asyncio import Redis

from sift.core.events.bus import as_text

EVENTS_PUBLISHED = Counter(
    "sift_events_published_total",
    "Outbox events the relay appended to the event stream",
    ("schema", "type"),
)
EVENTS_CONSUMED = Counter(
    "sift_events_consumed_total",
    "Stream events a consumer group finished with, by outcome",
    ("group", "type", "outcome"),
)
EVENTS_FAILED = Counter(
    "sift_events_failed_total",
    "Handler attempts that raised (the event is retried or dead-lettered)",
    ("group", "type"),
)
EVENTS_DEAD_LETTERED = Counter(
    "sift_events_dead_lettered_total",
    "Events moved to the dead-letter stream",
    ("group", "type"),
)
HANDLER_SECONDS = Histogram(
    "sift_event_handler_duration_seconds",
    "Time to apply one event (handler and idempotency record, one transaction)",
    ("group", "type"),
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RELAY_LAG_SECONDS = Histogram(
    "sift_relay_lag_seconds",
    "How long an outbox event waited, from its commit to the relay publishing it",
    ("schema",),
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
# Read by each member of a group from XINFO GROUPS now and then (the same value from every
# member: aggregate with max).
GROUP_PENDING = Gauge(
    "sift_events_group_pending",
    "Events delivered to a consumer group and not yet acknowledged",
    ("group",),
)
GROUP_LAG = Gauge(
    "sift_events_group_lag",
    "Events on the stream not yet delivered to a consumer group",
    ("group",),
)


async def observe_group(redis: Redis, stream: str, group: str) -> None:
    """Sets the group's pending and lag gauges from Redis (lag: Redis 7 and later)."""
    for info in await redis.xinfo_groups(stream):
        if as_text(info.get("name", "")) == group:
            GROUP_PENDING.labels(group).set(int(info.get("pending") or 0))
            if info.get("lag") is not None:
                GROUP_LAG.labels(group).set(int(info["lag"]))
