"""The analytics roll-ups' consumer group (`audit.analytics`): every event of every service.

A group of its own, so that the audit log and the roll-ups never wait on each other. The
worker applies each event in one transaction with its `processed_events` row, so a
redelivered event counts once; the back-fill claims events in the same table.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.analytics.rollup import Fact, apply, flush
from sift.audit.log.pseudonyms import person_keys
from sift.audit.models import ProcessedEvent
from sift.contracts.events import EventEnvelope, event_registry
from sift.core.events.consumer import Consumer

GROUP = "audit.analytics"

consumer = Consumer(GROUP, ProcessedEvent)


async def _pseudonym(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    """The person's audit pseudonym (None once they are forgotten), once per transaction."""
    known: dict[uuid.UUID, str | None] = session.info.setdefault("analytics.pseudonyms", {})
    if user_id not in known:
        key = await person_keys.key_of(session, user_id)
        known[user_id] = key.pseudonym if key is not None else None
    return known[user_id]


async def roll_up(session: AsyncSession, envelope: EventEnvelope) -> None:
    if envelope.org_id is None:
        return  # the platform's own events belong to no organization's usage
    actor = await _pseudonym(session, envelope.actor_id) if envelope.actor_id else None
    await apply(
        session,
        Fact(
            id=envelope.id,
            type=envelope.type,
            occurred_at=envelope.occurred_at,
            org_id=envelope.org_id,
            actor=actor,
            data=envelope.data,
        ),
    )


for _event_type in event_registry.event_types():
    consumer.add_handler(_event_type, roll_up)
consumer.add_before_commit(flush)
