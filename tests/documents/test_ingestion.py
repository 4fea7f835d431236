"""The ingestion monitor: the queue, documents by status, failures with their reason,
retrying one and following a collection's re-index."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from celery import Celery
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import DocumentIndexed, DocumentIndexFailed
from sift.core.config import CoreSettings
from sift.core.tasks.app import celery_config
from sift.core.tasks.settings import TaskSettings
from sift.documents.documents.status import document_status_service
from sift.search.ingestion.exceptions import IngestError
from sift.search.ingestion.extract.base import Deadline
from sift.search.ingestion.extract.pdf import extract_pdf
from tests.documents.conftest import Caller, Documents, make_collection, outbox
from tests.search import files

MONITOR = "/api/documents/ingestion"


async def index_outcome(
    docs: Documents, session: AsyncSession, document: dict[str, Any], version_id: str
) -> str:
    """What the search service makes of the stored PDF, recorded as its event would be."""
    stored = await outbox(session, None)
    key = next(
        e["data"]["storage_key"] for e in stored if e["data"].get("version_id") == version_id
    )
    ids = {
        "document_id": uuid.UUID(document["id"]),
        "version_id": uuid.UUID(version_id),
        "collection_id": uuid.UUID(document["collection_id"]),
    }
    now = datetime.now(UTC)
    try:
        extract_pdf(
            await docs.storage.read(key), deadline=Deadline(10), max_pages=50, max_chars=10**6
        )
    except IngestError as error:
        failed = DocumentIndexFailed(**ids, code=error.code, reason=error.message)
        assert await document_status_service.record_failed(session, failed, occurred_at=now)
        return "failed"
    indexed = DocumentIndexed(**ids, chunk_count=1, embedding_model="m", duration_ms=1)
    assert await document_status_service.record_indexed(session, indexed, occurred_at=now)
    return "indexed"


async def monitor(docs: Documents, caller: Caller, **params: Any) -> Any:
    answer = await docs.client.get(MONITOR, params=params, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def listed(docs: Documents, caller: Caller, **params: Any) -> Any:
    answer = await docs.client.get(f"{MONITOR}/documents", params=params, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_an_encrypted_pdf_fails_with_its_reason_and_a_fixed_version_indexes(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    admin, editor = docs.caller("admin"), docs.caller("editor")
    locked = await docs.uploaded(editor, collection_id, files.encrypted_pdf(), filename="plans.pdf")
    assert await index_outcome(docs, session, locked, locked["version_id"]) == "failed"

    overview = await monitor(docs, admin)
    assert overview["counts"] == {"uploaded": 0, "processing": 0, "indexed": 0, "failed": 1}
    assert overview["failure_reasons"] == [{"code": "encrypted_pdf", "count": 1}]
    assert (overview["total"], overview["done"]) == (1, 1)
    [item] = (await listed(docs, admin))["items"]
    assert item["id"] == locked["id"] and item["status"] == "failed"
    assert item["error"]["code"] == "encrypted_pdf"
    assert "password" in item["error"]["message"]
    assert item["filename"] == "plans.pdf" and item["collection_name"].startswith("Collection")

    fixed = await docs.client.post(
        f"/api/documents/{locked['id']}/versions",
        headers=editor.headers,
        files={"file": ("plans.pdf", files.pdf(["Plans for the harbor."]), "application/pdf")},
    )
    assert fixed.status_code == 201, fixed.text
    assert (fixed.json()["status"], fixed.json()["error"]) == ("uploaded", None)
    assert (await listed(docs, admin))["items"] == []
    waiting = await listed(docs, admin, status="uploaded")
    assert [i["id"] for i in waiting["items"]] == [locked["id"]]
    assert await index_outcome(docs, session, locked, fixed.json()["version_id"]) == "indexed"
    overview = await monitor(docs, admin)
    assert overview["counts"]["indexed"] == 1 and overview["failure_reasons"] == []


async def test_retrying_a_failed_document_queues_it_again(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    admin = docs.caller("admin")
    locked = await docs.uploaded(admin, collection_id, files.encrypted_pdf(), filename="a.pdf")
    await index_outcome(docs, session, locked, locked["version_id"])
    retried = await docs.client.post(
        f"/api/documents/{locked['id']}/reindex", headers=admin.headers
    )
    assert retried.status_code == 202
    assert (retried.json()["status"], retried.json()["error"]) == ("uploaded", None)
    [event] = await outbox(session, "document.reindex_requested")
    assert event["data"]["version_id"] == locked["version_id"]
    assert (await monitor(docs, admin))["counts"]["uploaded"] == 1
    # The same bytes fail the same way: the monitor lists it again, with its reason.
    await index_outcome(docs, session, locked, locked["version_id"])
    [item] = (await listed(docs, admin, status="failed"))["items"]
    assert item["error"]["code"] == "encrypted_pdf"


async def test_a_collection_reindex_shows_its_progress(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    admin = docs.caller("admin")
    documents = [await docs.uploaded(admin, collection_id) for _ in range(3)]
    other = await make_collection(session, docs.org_id)
    await docs.uploaded(admin, other.id)
    for document in documents:
        indexed = DocumentIndexed(
            document_id=uuid.UUID(document["id"]),
            version_id=uuid.UUID(document["version_id"]),
            collection_id=collection_id,
            chunk_count=1,
            embedding_model="m",
            duration_ms=1,
        )
        await document_status_service.record_indexed(
            session, indexed, occurred_at=datetime.now(UTC)
        )

    started = await docs.client.post(
        f"/api/collections/{collection_id}/reindex", headers=admin.headers
    )
    assert started.status_code == 202 and started.json() == {"queued": 3}
    progress = await monitor(docs, admin, collection_id=str(collection_id))
    assert progress["collection_id"] == str(collection_id)
    assert progress["counts"] == {"uploaded": 3, "processing": 0, "indexed": 0, "failed": 0}
    assert (progress["total"], progress["done"]) == (3, 0)

    first, second, third = documents
    now = datetime.now(UTC)
    await document_status_service.record_processing(
        session,
        document_id=uuid.UUID(first["id"]),
        version_id=uuid.UUID(first["version_id"]),
        occurred_at=now,
    )
    for document in (second, third):
        ids = {
            "document_id": uuid.UUID(document["id"]),
            "version_id": uuid.UUID(document["version_id"]),
            "collection_id": collection_id,
        }
        if document is second:
            payload = DocumentIndexed(**ids, chunk_count=2, embedding_model="m", duration_ms=1)
            await document_status_service.record_indexed(session, payload, occurred_at=now)
        else:
            failure = DocumentIndexFailed(**ids, code="timeout", reason="Took too long.")
            await document_status_service.record_failed(session, failure, occurred_at=now)
    progress = await monitor(docs, admin, collection_id=str(collection_id))
    assert progress["counts"] == {"uploaded": 0, "processing": 1, "indexed": 1, "failed": 1}
    assert (progress["total"], progress["done"]) == (3, 2)
    processing = await listed(docs, admin, status="processing", collection_id=str(collection_id))
    assert [i["id"] for i in processing["items"]] == [first["id"]]
    whole = await monitor(docs, admin)
    assert whole["collection_id"] is None and whole["total"] == 4


async def test_failed_documents_page_latest_failure_first(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    admin = docs.caller("admin")
    documents = [await docs.uploaded(admin, collection_id) for _ in range(3)]
    for document in documents:
        failure = DocumentIndexFailed(
            document_id=uuid.UUID(document["id"]),
            version_id=uuid.UUID(document["version_id"]),
            collection_id=collection_id,
            code="no_text",
            reason="No text.",
        )
        await document_status_service.record_failed(session, failure, occurred_at=datetime.now(UTC))
        await asyncio.sleep(0.01)  # distinct failure times
    first = await listed(docs, admin, limit=2)
    assert [i["id"] for i in first["items"]] == [documents[2]["id"], documents[1]["id"]]
    rest = await listed(docs, admin, limit=2, cursor=first["next_cursor"])
    assert [i["id"] for i in rest["items"]] == [documents[0]["id"]]
    assert rest["next_cursor"] is None
    elsewhere = docs.caller("admin", org_id=uuid.uuid4())
    assert (await listed(docs, elsewhere))["items"] == []
    assert (await monitor(docs, elsewhere))["total"] == 0


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"status": "indexed"}, 422),
        ({"status": "nope"}, 422),
        ({"collection_id": "not-a-uuid"}, 422),
        ({"limit": 0}, 422),
        ({"limit": 101}, 422),
        ({"cursor": "forged"}, 400),
        ({"collection_id": str(uuid.uuid4())}, 404),
    ],
)
async def test_bad_input_is_a_problem(docs: Documents, params: dict[str, Any], status: int) -> None:
    answer = await docs.client.get(
        f"{MONITOR}/documents", params=params, headers=docs.caller("admin").headers
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


async def test_another_organizations_collection_is_not_found(
    docs: Documents, session: AsyncSession
) -> None:
    theirs = await make_collection(session, uuid.uuid4())
    answer = await docs.client.get(
        MONITOR, params={"collection_id": str(theirs.id)}, headers=docs.caller("owner").headers
    )
    assert answer.status_code == 404
    assert answer.json()["type"].endswith("/collection-not-found")


@pytest.mark.parametrize("role", ["viewer", "editor"])
async def test_only_admins_and_owners_watch_ingestion(docs: Documents, role: str) -> None:
    for path in (MONITOR, f"{MONITOR}/documents"):
        answer = await docs.client.get(path, headers=docs.caller(role).headers)
        assert answer.status_code == 403
        assert answer.json()["type"].endswith("/permission-denied")


@pytest.fixture
def broker(settings: CoreSettings) -> Iterator[Celery[Any]]:
    """A Celery app of its own, sending to this test's prefix where no worker listens."""
    app: Celery[Any] = Celery("sift-ingestion-test", set_as_current=False)
    app.conf.update(celery_config(settings, TaskSettings()))
    yield app
    app.close()


async def test_the_queue_depth_counts_the_waiting_ingest_tasks(
    docs: Documents, broker: Celery[Any], redis: Any
) -> None:
    admin = docs.caller("admin")
    assert (await monitor(docs, admin))["queue_depth"] == 0
    version = str(uuid.uuid4())
    await asyncio.to_thread(broker.send_task, "search.ingest.index_version", args=(version,))
    await asyncio.to_thread(
        broker.send_task, "search.ingest.index_version", args=(version,), priority=6
    )
    await asyncio.to_thread(broker.send_task, "notifications.delivery.send", args=(version,))
    assert (await monitor(docs, admin))["queue_depth"] == 2


async def test_without_redis_the_queue_depth_is_unknown_and_the_rest_still_comes(
    docs: Documents, collection_id: uuid.UUID
) -> None:
    admin = docs.caller("admin")
    await docs.uploaded(admin, collection_id)
    working = docs.app.state.redis
    docs.app.state.redis = Redis.from_url("redis://127.0.0.1:1", socket_connect_timeout=0.5)
    try:
        overview = await monitor(docs, admin)
    finally:
        await docs.app.state.redis.aclose()
        docs.app.state.redis = working
    assert overview["queue_depth"] is None
    assert overview["counts"]["uploaded"] == 1
