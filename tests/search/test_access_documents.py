"""The documents half of the access projection: what the documents service really emits
(titles, tags, metadata changes) lands in search's `documents` table; delivery order and
redelivery do not change the outcome."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionMemberGranted,
    DocumentDeleted,
    DocumentUpdated,
    DocumentUploaded,
    DocumentVersionCreated,
)
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.bus import encode_entry, stream_key
from sift.core.events.runner import consume_once
from sift.search.access.repository import (
    collection_access_repository,
    index_version_repository,
)
from sift.search.consumers import consumer
from sift.search.models import IndexedDocument
from tests.documents.conftest import Documents, docs, documents_factory, make_collection, outbox
from tests.search.access_helpers import apply, at, envelope, principal, truncate_access

__all__ = ["docs", "documents_factory"]  # the documents app's fixtures, used here

SHA = "a" * 64


async def indexed(session: AsyncSession, document_id: uuid.UUID) -> IndexedDocument | None:
    return await session.scalar(
        select(IndexedDocument)
        .where(IndexedDocument.document_id == document_id)
        .execution_options(populate_existing=True)
    )


async def documents_events(session: AsyncSession, event_type: str) -> list[EventEnvelope]:
    return [EventEnvelope.model_validate(raw) for raw in await outbox(session, event_type)]


async def test_the_documents_service_events_carry_what_search_filters_on(
    docs: Documents, session: AsyncSession
) -> None:
    collection = await make_collection(session, docs.org_id)
    editor = docs.caller("editor")
    created = await docs.uploaded(
        editor, collection.id, title="Quarterly report", tags="finance, q3"
    )
    document_id = uuid.UUID(created["id"])
    [uploaded] = await documents_events(session, "document.uploaded")
    assert uploaded.payload_as(DocumentUploaded).title == "Quarterly report"
    assert uploaded.payload_as(DocumentUploaded).tags == ["finance", "q3"]

    await apply(session, uploaded)
    row = await indexed(session, document_id)
    assert row is not None
    assert (row.org_id, row.collection_id) == (docs.org_id, collection.id)
    assert (row.title, row.tags, row.mime_type) == (
        "Quarterly report",
        ["finance", "q3"],
        "text/plain",
    )
    assert row.created_at == uploaded.occurred_at

    patched = await docs.client.patch(
        f"/api/documents/{document_id}",
        headers=editor.headers,
        json={"title": "Q3 report", "tags": ["finance"]},
    )
    assert patched.status_code == 200, patched.text
    unchanged = await docs.client.patch(
        f"/api/documents/{document_id}", headers=editor.headers, json={"tags": ["finance"]}
    )
    assert unchanged.status_code == 200
    [updated] = await documents_events(session, "document.updated")  # no event for a no-op
    assert updated.payload_as(DocumentUpdated) == DocumentUpdated(
        document_id=document_id, collection_id=collection.id, title="Q3 report", tags=["finance"]
    )
    await apply(session, updated)
    row = await indexed(session, document_id)
    assert row is not None and (row.title, row.tags) == ("Q3 report", ["finance"])

    second = await docs.client.post(
        f"/api/documents/{document_id}/versions",
        headers=editor.headers,
        files={"file": ("notes.md", b"# Notes\n\nSecond version.\n", "text/markdown")},
    )
    assert second.status_code == 201, second.text
    [version] = await documents_events(session, "document.version_created")
    assert version.payload_as(DocumentVersionCreated).title == "Q3 report"
    await apply(session, version)
    row = await indexed(session, document_id)
    assert row is not None
    assert (row.title, row.mime_type) == ("Q3 report", "text/markdown")
    assert row.created_at == uploaded.occurred_at  # still the first upload's time

    deleted = await docs.client.delete(f"/api/documents/{document_id}", headers=editor.headers)
    assert deleted.status_code == 204
    [gone] = await documents_events(session, "document.deleted")
    await apply(session, gone)
    assert await indexed(session, document_id) is None


def uploaded_payload(
    document_id: uuid.UUID, collection_id: uuid.UUID, **extra: object
) -> DocumentUploaded:
    return DocumentUploaded(
        document_id=document_id,
        version_id=uuid.uuid4(),
        collection_id=collection_id,
        filename="report.pdf",
        content_type="application/pdf",
        size_bytes=10,
        sha256=SHA,
        storage_key=f"documents/{document_id}",
        **extra,  # type: ignore[arg-type]
    )


def version_payload(
    document_id: uuid.UUID, collection_id: uuid.UUID, mime: str, **extra: object
) -> DocumentVersionCreated:
    return DocumentVersionCreated(
        document_id=document_id,
        version_id=uuid.uuid4(),
        collection_id=collection_id,
        filename="report.docx",
        content_type=mime,
        size_bytes=10,
        sha256=SHA,
        storage_key=f"documents/{document_id}/2",
        **extra,  # type: ignore[arg-type]
    )


async def test_document_events_in_any_order_converge(session: AsyncSession) -> None:
    org, cid, did = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    first = envelope(uploaded_payload(did, cid, title="Draft", tags=["a"]), org, at(0))
    second = envelope(version_payload(did, cid, docx, title="Draft", tags=["a"]), org, at(10))
    renamed = envelope(
        DocumentUpdated(document_id=did, collection_id=cid, title="Final", tags=["b"]), org, at(20)
    )

    await apply(session, renamed, second, first)

    row = await indexed(session, did)
    assert row is not None
    assert (row.title, row.tags, row.mime_type) == ("Final", ["b"], docx)
    assert row.created_at == at(0)

    # Deleted, then an earlier event comes late: the document stays gone.
    await apply(
        session,
        envelope(
            DocumentDeleted(document_id=did, collection_id=cid, reason="user_request"), org, at(30)
        ),
    )
    await apply(session, second, renamed)
    assert await indexed(session, did) is None


async def test_events_from_before_titles_travelled_keep_what_is_known(
    session: AsyncSession,
) -> None:
    org, cid, did = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await apply(session, envelope(uploaded_payload(did, cid), org, at(0)))
    row = await indexed(session, did)
    assert row is not None and (row.title, row.tags) == ("report.pdf", [])  # the filename

    await apply(
        session,
        envelope(
            DocumentUpdated(document_id=did, collection_id=cid, title="Named", tags=["t"]),
            org,
            at(5),
        ),
        envelope(version_payload(did, cid, "text/plain"), org, at(10)),  # no title: an old producer
    )
    row = await indexed(session, did)
    assert row is not None
    assert (row.title, row.tags, row.mime_type) == ("Named", ["t"], "text/plain")


async def test_redelivered_events_apply_once_through_the_consumer_group(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> None:
    await truncate_access(database)
    try:
        org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        events = [
            envelope(
                CollectionCreated(collection_id=cid, visibility="restricted", created_by=user),
                org,
                at(0),
            ),
            envelope(
                CollectionMemberGranted(collection_id=cid, user_id=user, role="viewer"), org, at(1)
            ),
        ]
        for wrapped in [*events, *events]:  # at-least-once: each arrives twice
            await redis.xadd(
                stream_key(settings),
                encode_entry(
                    event_id=str(wrapped.id),
                    event_type=wrapped.type,
                    envelope_json=wrapped.model_dump_json(),
                ),
            )

        stats = await consume_once(
            consumer, database=database, redis=redis, settings=settings, name="test-access"
        )

        assert (stats.applied, stats.duplicates, stats.failed) == (2, 2, 0)
        async with database.read_sessionmaker() as session:
            assert await collection_access_repository.readable_ids(
                session, principal("viewer", org, user)
            ) == [cid]
            assert (
                await collection_access_repository.readable_ids(session, principal("viewer", org))
                == []
            )
            assert (
                await index_version_repository.get(session, org) == 2
            )  # one move per applied change
    finally:
        await truncate_access(database)
