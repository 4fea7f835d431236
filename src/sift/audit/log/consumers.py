"""The audit log's consumer group (`audit`): every event of every service, once each.

A group of its own, so that it reads the whole stream whatever other groups do; the
worker applies each event in one transaction with its `processed_events` row, so a
redelivered event adds no second entry (the entry's ID is the event's, as a second guard).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.recording import SKIPPED_TYPES
from sift.audit.log.service import audit_log_service
from sift.audit.models import ProcessedEvent
from sift.contracts.events import EventEnvelope, event_registry
from sift.core.events.consumer import Consumer

GROUP = "audit"

consumer = Consumer(GROUP, ProcessedEvent)


async def record(session: AsyncSession, envelope: EventEnvelope) -> None:
    await audit_log_service.append(session, envelope)


for _event_type in event_registry.event_types():
    if _event_type not in SKIPPED_TYPES:
        consumer.add_handler(_event_type, record)
