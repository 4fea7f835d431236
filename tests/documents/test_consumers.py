"""The status consumer: search's events, through the real stream and consumer group."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import delete, select

from sift.contracts.events import EventEnvelope, EventPayload
from sift.contracts.events.documents import (
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentIndexStarted,
    IndexStep,
)
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.bus import encode_entry, stream_key
from sift.core.events.handling import ConsumeStats
from sift.core.events.runner import consume_once
from sift.documents.documents.consumers import consumer
from sift.documents.documents.schemas import steps_of
from sift.documents.models import Collection, Document, DocumentVersion

SHA = "0" * 64


@pytest.fixture
async def committed(database: Database, clean_outboxes: None) -> AsyncIterator[dict[str, Any]]:
    """A document with two versions, really committed (the consumer has its own connections)."""
    org = uuid.uuid4()
    async with database.sessionmaker() as session, session.begin():
        collection = Collection(org_id=org, name="Consumed", created_by=uuid.uuid4())
        session.add(collection)
        await session.flush()
        document = Document(
            org_id=org, collection_id=collection.id, title="T", sha256=SHA, created_by=org
        )
        session.add(document)
        await session.flush()
        old, new = (
            DocumentVersion(
                document_id=document.id,
                number=number,
                storage_key=f"documents/{org}/{document.id}/{number}",
                sha256=SHA,
                size=1,
                mime_type="text/plain",
                filename="t.txt",
                created_by=org,
            )
            for number in (1, 2)
        )
        session.add_all([old, new])
        await session.flush()
        document.current_version_id = new.id
        document.status_changed_at = datetime.now(UTC) - timedelta(minutes=1)
    ids = {"document": document.id, "collection": collection.id, "old": old.id, "new": new.id}
    try:
        yield ids
    finally:
        async with database.sessionmaker() as session, session.begin():
            await session.execute(delete(Document).where(Document.id == document.id))
            await session.execute(delete(Collection).where(Collection.id == collection.id))


async def deliver(
    redis: Redis, settings: CoreSettings, payload: EventPayload, **envelope: Any
) -> EventEnvelope:
    wrapped = EventEnvelope.wrap(payload, producer="search", **envelope)
    await redis.xadd(
        stream_key(settings),
        encode_entry(
            event_id=str(wrapped.id),
            event_type=wrapped.type,
            envelope_json=wrapped.model_dump_json(),
        ),
    )
    return wrapped


async def run(database: Database, redis: Redis, settings: CoreSettings) -> ConsumeStats:
    return await consume_once(
        consumer, database=database, redis=redis, settings=settings, name="test-documents"
    )


async def row(database: Database, document_id: uuid.UUID) -> Document:
    async with database.read_sessionmaker() as session:
        document = await session.scalar(select(Document).where(Document.id == document_id))
        assert document is not None
        return document


async def test_status_follows_the_search_services_events(
    database: Database, redis: Redis, settings: CoreSettings, committed: dict[str, Any]
) -> None:
    ids = {"document_id": committed["document"], "collection_id": committed["collection"]}
    await deliver(
        redis, settings, DocumentIndexStarted(**ids, version_id=committed["new"], attempt=1)
    )

    assert (await run(database, redis, settings)).applied == 1
    assert (await row(database, committed["document"])).status == "processing"

    now = datetime.now(UTC)
    steps = [
        IndexStep(name=name, started_at=now, finished_at=now, duration_ms=5)
        for name in ("extract", "redact", "nlp", "chunk", "embed", "index")
    ]
    steps[0] = steps[0].model_copy(update={"note": "Replaced 1 stray control character."})
    indexed = DocumentIndexed(
        **ids,
        version_id=committed["new"],
        chunk_count=12,
        page_count=3,
        language="en",
        embedding_model="all-MiniLM-L6-v2",
        duration_ms=25,
        steps=steps,
        redactions={"email": 2, "ip": 1},
    )
    envelope = await deliver(redis, settings, indexed)
    await run(database, redis, settings)

    document = await row(database, committed["document"])
    assert (document.status, document.chunk_count, document.page_count, document.language) == (
        "indexed",
        12,
        3,
        "en",
    )
    assert document.redactions == {"email": 2, "ip": 1}  # its processing details
    assert [step["name"] for step in document.steps] == [
        "extract",
        "redact",
        "nlp",
        "chunk",
        "embed",
        "index",
    ]
    assert document.steps[0]["note"] == "Replaced 1 stray control character."
    assert steps_of(document.steps)[0].note == "Replaced 1 stray control character."  # its API
    assert document.error_code is None

    # Redelivered: applied once only.
    await redis.xadd(
        stream_key(settings),
        encode_entry(
            event_id=str(envelope.id),
            event_type=envelope.type,
            envelope_json=envelope.model_dump_json(),
        ),
    )
    assert (await run(database, redis, settings)).duplicates == 1

    # About the older version, or older than the current status: ignored.
    await deliver(
        redis,
        settings,
        DocumentIndexFailed(**ids, version_id=committed["old"], code="timeout", reason="slow"),
    )
    await deliver(
        redis,
        settings,
        DocumentIndexFailed(**ids, version_id=committed["new"], code="timeout", reason="slow"),
        occurred_at=now - timedelta(minutes=5),
    )
    assert (await run(database, redis, settings)).applied == 2
    assert (await row(database, committed["document"])).status == "indexed"

    await deliver(
        redis,
        settings,
        DocumentIndexFailed(
            **ids, version_id=committed["new"], code="encrypted_pdf", reason="The PDF is encrypted."
        ),
    )
    await run(database, redis, settings)
    document = await row(database, committed["document"])
    assert (document.status, document.error_code, document.error_message) == (
        "failed",
        "encrypted_pdf",
        "The PDF is encrypted.",
    )


def test_the_consumer_handles_the_status_events() -> None:
    import sift.documents.privacy.consumers  # noqa: F401 - its handlers join the same group

    assert consumer.group == "documents"
    assert consumer.event_types == [
        "document.index_failed",
        "document.index_started",
        "document.indexed",
        "privacy.erasure_finished",
        "privacy.erasure_requested",
        "privacy.export_requested",
        "privacy.organization_erasure_requested",
    ]
