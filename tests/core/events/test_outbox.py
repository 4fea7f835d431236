"""Publishing joins the caller's transaction: committed events are relayed, rolled back never."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.outbox import EventPublisher, publish
from sift.documents.models import OutboxEvent
from tests.core.events.conftest import drain_outboxes, stream_entries, unpublished
from tests.core.events.workload import uploaded


async def test_publish_adds_a_row_to_the_callers_transaction(session: AsyncSession) -> None:
    actor, org = uuid.uuid4(), uuid.uuid4()
    envelope = await publish(
        session, OutboxEvent, uploaded(1), producer="documents", org_id=org, actor_id=actor
    )
    assert session.in_transaction()
    row = await session.get(OutboxEvent, envelope.id)
    assert row is not None
    assert (row.type, row.version, row.published_at) == ("document.uploaded", 1, None)
    assert EventEnvelope.model_validate(row.envelope) == envelope
    assert (envelope.org_id, envelope.actor_id, envelope.producer) == (org, actor, "documents")


async def test_an_event_whose_transaction_rolls_back_is_never_published(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> None:
    events = EventPublisher("documents", OutboxEvent)
    async with database.sessionmaker() as session:
        await events.publish(session, uploaded(1, filename="rolled-back.pdf"))
        await session.flush()  # the row exists in the transaction...
        assert await unpublished(database, ["documents"]) == 0  # ...invisible until commit
        await session.rollback()
    async with database.sessionmaker() as session, session.begin():
        kept = await events.publish(session, uploaded(2, filename="committed.pdf"))

    assert await drain_outboxes(database, redis, settings, ["documents"]) == 1
    entries = await stream_entries(redis, settings)
    assert [entry.fields["id"] for entry in entries] == [str(kept.id)]
    assert EventEnvelope.model_validate_json(entries[0].fields["envelope"]) == kept
