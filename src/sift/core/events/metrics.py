"""Prometheus counters of the event pipeline (default registry: relay and consumer processes)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

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
