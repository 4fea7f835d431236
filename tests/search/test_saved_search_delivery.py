"""End to end: a version really indexed by the ingestion pipeline moves the org's index
version, and its `document.indexed` event, relayed to the stream and consumed by the search
group, tells the owner of a matching saved search."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from sqlalchemy import select

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import CollectionCreated
from sift.contracts.events.search import SavedSearchMatched
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.runner import consume_once
from sift.search.access.repository import index_version_repository
from sift.search.consumers import consumer
from sift.search.models import OutboxEvent
from sift.search.saved.schemas import SavedSearchCreate
from sift.search.saved.service import saved_search_service
from tests.core.events.conftest import drain_outboxes
from tests.search.access_helpers import apply, at, envelope, principal, truncate_access
from tests.search.conftest import Ingest

TEXT = (
    "Plants capture light with chlorophyll. Photosynthesis turns water and carbon dioxide "
    "into sugar and oxygen. The leaves of most plants are green because of chlorophyll.\n"
)


async def test_an_indexed_version_reaches_the_saved_search_owner(
    ingest: Ingest, database: Database, redis: Redis, settings: CoreSettings
) -> None:
    await truncate_access(database)
    try:
        org, collection_id, owner = ingest.org_id, uuid.uuid4(), uuid.uuid4()
        async with database.sessionmaker() as session, session.begin():
            await apply(
                session,
                envelope(
                    CollectionCreated(
                        collection_id=collection_id, visibility="org", created_by=owner
                    ),
                    org,
                    at(0),
                ),
            )
            saved = await saved_search_service.create(
                session,
                principal("viewer", org, owner),
                SavedSearchCreate(name="Plants", query="chlorophyll photosynthesis", notify=True),
                max_per_user=10,
            )
            await saved_search_service.create(
                session,
                principal("viewer", org, owner),
                SavedSearchCreate(name="Cars", query="combustion engine", notify=True),
                max_per_user=10,
            )
        async with database.read_sessionmaker() as session:
            before = await index_version_repository.get(session, org)

        announced = await ingest.announce(
            TEXT.encode(), content_type="text/plain", collection_id=collection_id
        )
        assert await ingest.run(announced.version_id) == "indexed"

        async with database.read_sessionmaker() as session:
            assert await index_version_repository.get(session, org) > before
        await drain_outboxes(database, redis, settings, ["search"])
        stats = await consume_once(
            consumer, database=database, redis=redis, settings=settings, name="test-saved"
        )
        assert stats.failed == 0 and stats.applied >= 1

        async with database.read_sessionmaker() as session:
            rows = await session.scalars(
                select(OutboxEvent.envelope).where(
                    OutboxEvent.type == "search.saved_search_matched"
                )
            )
            [only] = [EventEnvelope.model_validate(raw) for raw in rows]
        event = only.payload_as(SavedSearchMatched)
        assert (event.saved_search_id, event.user_id) == (saved.id, owner)
        assert (event.document_id, event.version_id) == (
            announced.document_id,
            announced.version_id,
        )
        assert event.collection_id == collection_id and event.match_count >= 1
        assert only.org_id == org
    finally:
        await truncate_access(database)
