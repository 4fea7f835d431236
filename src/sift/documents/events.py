"""The documents service's outbox: `await events.publish(session, Payload(...), ...)`."""

from __future__ import annotations

from sift.core.events.outbox import EventPublisher
from sift.documents.models import OutboxEvent

events = EventPublisher("documents", OutboxEvent)
