"""Transactional outbox: an event is a row written in the transaction of its state change.

A service never commits; the request or task boundary does. If that transaction rolls back,
the event row goes with it and the relay never sees it.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope, EventPayload
from sift.core.events.origin import current_origin
from sift.core.events.tables import OutboxMixin
from sift.core.tracing import current_traceparent

log = structlog.get_logger()


def outbox_lock_key(schema: str) -> int:
    """A stable 64-bit advisory-lock key per schema (Python's hash() is salted per process)."""
    digest = hashlib.blake2b(f"sift.outbox.{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def publish(
    session: AsyncSession,
    outbox_model: type[OutboxMixin],
    payload: EventPayload,
    *,
    producer: str,
    org_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> EventEnvelope:
    """Add the event to the caller's transaction; it is published only if that commits.

    Inside an HTTP request, the event carries the request's origin (address, user agent);
    inside a span, its `traceparent`.
    """
    envelope = EventEnvelope.wrap(
        payload,
        producer=producer,
        org_id=org_id,
        actor_id=actor_id,
        subject_id=subject_id,
        occurred_at=occurred_at,
        context=current_origin(),
        traceparent=current_traceparent(),
    )
    row = outbox_model()
    row.id = envelope.id
    row.type = envelope.type
    row.version = envelope.version
    row.envelope = envelope.model_dump(mode="json")
    session.add(row)  # flushed with the caller's other changes; never committed here
    log.debug("event.added", event_id=str(envelope.id), type=envelope.type, producer=producer)
    return envelope


class EventPublisher:
    """A service's handle on its outbox: `await events.publish(session, Payload(...), ...)`."""

    def __init__(self, producer: str, outbox_model: type[OutboxMixin]) -> None:
        self.producer = producer
        self.outbox_model = outbox_model

    async def publish(
        self,
        session: AsyncSession,
        payload: EventPayload,
        *,
        org_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None,
        subject_id: uuid.UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> EventEnvelope:
        return await publish(
            session,
            self.outbox_model,
            payload,
            producer=self.producer,
            org_id=org_id,
            actor_id=actor_id,
            subject_id=subject_id,
            occurred_at=occurred_at,
        )
