"""The assistant service's outbox: `await events.publish(session, Payload(...), ...)`."""

from __future__ import annotations

from sift.assistant.models import OutboxEvent
from sift.core.events.outbox import EventPublisher

events = EventPublisher("assistant", OutboxEvent)
