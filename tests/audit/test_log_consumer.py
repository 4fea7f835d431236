"""Events reach the audit log through the real outbox, relay and the `audit` group, once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from sqlalchemy import event, select

from sift.audit.log.consumers import consumer
from sift.audit.log.models import AuditEntry
from sift.audit.log.pseudonyms import person_keys
from sift.audit.log.service import audit_log_service
from sift.contracts.events import EventPayload
from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionVisibilityName,
    DocumentIndexStarted,
)
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.handling import ConsumeStats
from sift.core.events.outbox import publish
from sift.core.events.relay import relay_once
from sift.core.events.runner import consume_once
from sift.documents.models import OutboxEvent as DocumentsOutbox
from tests.audit.conftest import envelope


class Pipeline:
    def __init__(self, database: Database, redis: Redis, settings: CoreSettings) -> None:
        self.database, self.redis, self.settings = database, redis, settings

    async def publish(self, payload: EventPayload, **envelope: object) -> uuid.UUID:
        """Committed to the documents outbox, as that service would."""
        async with self.database.sessionmaker() as session, session.begin():
            event = await publish(
                session, DocumentsOutbox, payload, producer="documents", **envelope  # type: ignore[arg-type]
            )
        return event.id

    async def deliver(self, name: str = "test-audit") -> ConsumeStats:
        while await relay_once(self.database, self.redis, self.settings, schemas=["documents"]):
            pass
        return await consume_once(
            consumer, database=self.database, redis=self.redis, settings=self.settings, name=name
        )


@pytest.fixture
async def pipeline(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> AsyncIterator[Pipeline]:
    yield Pipeline(database, redis, settings)


def _created(user: uuid.UUID) -> CollectionCreated:
    return CollectionCreated(
        collection_id=uuid.uuid4(), visibility=CollectionVisibilityName.org, created_by=user
    )


async def test_every_event_is_recorded_once_even_when_delivered_again(
    pipeline: Pipeline, database: Database, redis: Redis, settings: CoreSettings
) -> None:
    org, user = uuid.uuid4(), uuid.uuid4()
    first = await pipeline.publish(_created(user), org_id=org, actor_id=user)
    second = await pipeline.publish(_created(user), org_id=org, actor_id=user)
    await pipeline.publish(
        DocumentIndexStarted(
            document_id=uuid.uuid4(), version_id=uuid.uuid4(), collection_id=uuid.uuid4(), attempt=1
        ),
        org_id=org,
    )
    stats = await pipeline.deliver()
    assert (stats.applied, stats.ignored) == (2, 1)  # a job's progress is not recorded

    # Redelivered (a member that died before its XACK): applied once only.
    async with database.sessionmaker() as session:
        entry = await session.get(AuditEntry, first)
        assert entry is not None
    stream = settings.redis_key(settings.events.stream)
    messages = await redis.xrange(stream)
    await redis.xadd(stream, messages[0][1])
    stats = await pipeline.deliver()
    assert (stats.applied, stats.duplicates) == (0, 1)

    async with database.sessionmaker() as session:
        rows = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.org_id == org).order_by(AuditEntry.seq)
            )
        ).all()
        assert [(row.id, row.seq) for row in rows] == [(first, 1), (second, 2)]
        assert rows[0].action == "collection.created" and rows[0].producer == "documents"
        assert (await audit_log_service.verify(session, org)).ok


async def test_appends_to_one_chain_from_two_connections_at_once_stay_one_chain(
    database: Database,
) -> None:
    org, user = uuid.uuid4(), uuid.uuid4()

    async def append() -> None:
        async with database.sessionmaker() as session, session.begin():
            await audit_log_service.append(
                session, envelope(_created(user), org_id=org, actor_id=user, producer="documents")
            )

    await asyncio.gather(*(append() for _ in range(8)))
    async with database.sessionmaker() as session:
        check = await audit_log_service.verify(session, org)
    assert (check.ok, check.checked) == (True, 8)


async def test_a_known_person_costs_one_query_and_holds_off_a_forgetting(
    database: Database,
) -> None:
    user = uuid.uuid4()
    async with database.sessionmaker() as session, session.begin():
        made = await person_keys.key_of(session, user)
        assert made is not None
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    mentioning = database.sessionmaker()
    await mentioning.begin()
    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        key = await person_keys.key_of(mentioning, user)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    assert key is not None and key.pseudonym == made.pseudonym
    assert len(statements) == 1 and "FOR KEY SHARE" in statements[0], statements

    async def forget() -> bool:
        async with database.sessionmaker() as session, session.begin():
            return await person_keys.forget(session, user)

    forgetting = asyncio.create_task(forget())
    await asyncio.sleep(0.5)
    assert not forgetting.done()  # the entry being written with the key comes first
    await mentioning.commit()
    await mentioning.close()
    assert await asyncio.wait_for(forgetting, timeout=10) is True


async def test_a_key_is_never_made_for_someone_being_forgotten(database: Database) -> None:
    user = uuid.uuid4()
    async with database.sessionmaker() as session, session.begin():
        assert await person_keys.key_of(session, user) is not None
    forgetting = database.sessionmaker()
    await forgetting.begin()
    assert await person_keys.forget(forgetting, user)  # not committed yet

    async def mention() -> object:
        async with database.sessionmaker() as session, session.begin():
            return await person_keys.key_of(session, user)

    mentioned = asyncio.create_task(mention())
    await asyncio.sleep(0.5)
    assert not mentioned.done()  # waits for the forgetting to end
    await forgetting.commit()
    await forgetting.close()
    assert await asyncio.wait_for(mentioned, timeout=10) is None
