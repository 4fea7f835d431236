"""The audit service's outbox and the consumer group of privacy requests.

A group of its own (`audit.privacy`): the audit log's group reads the same stream for
every event, and neither should wait on the other.
"""

from __future__ import annotations

from sift.audit.models import OutboxEvent, ProcessedEvent
from sift.core.events.consumer import Consumer
from sift.core.events.outbox import EventPublisher

events = EventPublisher("audit", OutboxEvent)
consumer = Consumer("audit.privacy", ProcessedEvent)
