"""The search service's outbox publisher and its consumer group on the event stream.

Domains register their handlers on `consumer` in their `consumers.py`; one process runs the
group (`run_consumer(settings, consumer)` after importing those modules).
"""

from __future__ import annotations

from sift.core.events.consumer import Consumer
from sift.core.events.outbox import EventPublisher
from sift.search.models import OutboxEvent, ProcessedEvent

PRODUCER = "search"

events = EventPublisher(PRODUCER, OutboxEvent)
consumer = Consumer("search", ProcessedEvent)
