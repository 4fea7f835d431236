"""Collections that keep only the redacted text: `keep_original_files` off drops a version's
file from storage once search reports it indexed (redacted), through the real consumer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import delete, select

from sift.contracts.events.documents import DocumentIndexed
from sift.core.config import CoreSettings, StorageSettings
from sift.core.db import Database
from sift.core.privacy import runtime
from sift.core.storage import LocalStorage
from sift.documents.models import Collection, Document, DocumentVersion
from tests.documents.conftest import Documents
from tests.documents.test_consumers import deliver, run

CONTENT = b"Write to alice@example.com or call +44 20 7946 0958.\n"
SHA = "1" * 64

Make = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def indexed_in(
    database: Database,
    redis: Redis,
    settings: CoreSettings,
    tmp_path: Path,
    clean_outboxes: None,
) -> AsyncIterator[Make]:
    """`await indexed_in(org, keep_original_files=...)`: a committed document of a redacting
    collection whose file is in the test's storage, then `document.indexed` consumed."""
    storage = LocalStorage(tmp_path / "files")  # the `docs` app's storage too
    runtime.configure(
        settings.model_copy(update={"storage": StorageSettings(local_root=storage.root)})
    )
    made: list[tuple[uuid.UUID, uuid.UUID]] = []

    async def make(org: uuid.UUID, *, keep_original_files: bool) -> dict[str, Any]:
        async with database.sessionmaker() as session, session.begin():
            collection = Collection(
                org_id=org,
                name=f"Redacted {uuid.uuid4().hex[:8]}",
                created_by=org,
                redact_pii=True,
                keep_original_files=keep_original_files,
            )
            session.add(collection)
            await session.flush()
            document = Document(
                org_id=org, collection_id=collection.id, title="T", sha256=SHA, created_by=org
            )
            session.add(document)
            await session.flush()
            key = f"documents/{org}/{document.id}/{uuid.uuid4()}"
            await storage.put(key, _chunks(CONTENT), content_type="text/plain")
            version = DocumentVersion(
                document_id=document.id,
                number=1,
                storage_key=key,
                sha256=SHA,
                size=len(CONTENT),
                mime_type="text/plain",
                filename="t.txt",
                created_by=org,
            )
            session.add(version)
            await session.flush()
            document.current_version_id = version.id
            document.status_changed_at = datetime.now(UTC) - timedelta(minutes=1)
        made.append((document.id, collection.id))
        await deliver(
            redis,
            settings,
            DocumentIndexed(
                document_id=document.id,
                collection_id=collection.id,
                version_id=version.id,
                chunk_count=1,
                page_count=1,
                language="en",
                embedding_model="all-MiniLM-L6-v2",
                duration_ms=5,
                redactions={"email": 1, "phone": 1},
            ),
        )
        assert (await run(database, redis, settings)).applied == 1
        return {
            "document": document.id,
            "collection": collection.id,
            "version": version.id,
            "blob": storage.root / key,
        }

    try:
        yield make
    finally:
        runtime.configure(None)
        async with database.sessionmaker() as session, session.begin():
            for document_id, collection_id in made:
                await session.execute(delete(Document).where(Document.id == document_id))
                await session.execute(delete(Collection).where(Collection.id == collection_id))


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _version(database: Database, version_id: uuid.UUID) -> DocumentVersion:
    async with database.read_sessionmaker() as session:
        version = await session.scalar(
            select(DocumentVersion).where(DocumentVersion.id == version_id)
        )
        assert version is not None
        return version


async def test_the_original_leaves_storage_once_indexed_and_cannot_be_downloaded_or_reindexed(
    indexed_in: Make, database: Database, docs: Documents
) -> None:
    ids = await indexed_in(docs.org_id, keep_original_files=False)
    editor = docs.caller("editor")

    assert not ids["blob"].exists()
    assert (await _version(database, ids["version"])).original_dropped_at is not None

    document = await docs.client.get(f"/api/documents/{ids['document']}", headers=editor.headers)
    assert document.status_code == 200
    assert (document.json()["status"], document.json()["original_kept"]) == ("indexed", False)

    gone = await docs.client.get(
        f"/api/documents/{ids['document']}/content", headers=editor.headers
    )
    assert gone.status_code == 410
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert gone.json()["type"].endswith("/original-not-kept")
    assert gone.json()["detail"] == (
        "The original file was not kept: this collection keeps only the redacted text."
    )

    refused = await docs.client.post(
        f"/api/documents/{ids['document']}/reindex", headers=editor.headers
    )
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/reindex-without-original")

    relanguage = await docs.client.patch(
        f"/api/documents/{ids['document']}", headers=editor.headers, json={"language": "de"}
    )
    assert relanguage.status_code == 409

    manager = docs.caller("admin")
    bulk = await docs.client.post(
        f"/api/collections/{ids['collection']}/reindex", headers=manager.headers
    )
    assert bulk.status_code == 202, bulk.text
    assert bulk.json() == {"queued": 0}  # skipped, not failed in the worker

    versions = await docs.client.get(
        f"/api/documents/{ids['document']}/versions", headers=editor.headers
    )
    assert versions.json()["items"][0]["original_dropped_at"] is not None


async def test_by_default_the_original_is_kept(
    indexed_in: Make, database: Database, docs: Documents
) -> None:
    ids = await indexed_in(docs.org_id, keep_original_files=True)
    editor = docs.caller("editor")

    assert ids["blob"].read_bytes() == CONTENT
    assert (await _version(database, ids["version"])).original_dropped_at is None
    download = await docs.client.get(
        f"/api/documents/{ids['document']}/content", headers=editor.headers
    )
    assert (download.status_code, download.content) == (200, CONTENT)
    document = await docs.client.get(f"/api/documents/{ids['document']}", headers=editor.headers)
    assert document.json()["original_kept"] is True


async def test_originals_may_be_dropped_only_by_a_redacting_collection(docs: Documents) -> None:
    admin = docs.caller("admin")
    refused = await docs.client.post(
        "/api/collections",
        headers=admin.headers,
        json={"name": "Plain", "keep_original_files": False},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/originals-need-redaction")

    default = await docs.client.post("/api/collections", headers=admin.headers, json={"name": "D"})
    assert default.json()["keep_original_files"] is True

    created = await docs.client.post(
        "/api/collections",
        headers=admin.headers,
        json={"name": "Redacted only", "redact_pii": True, "keep_original_files": False},
    )
    assert created.status_code == 201, created.text
    assert (created.json()["redact_pii"], created.json()["keep_original_files"]) == (True, False)
    url = f"/api/collections/{created.json()['id']}"

    unredacted = await docs.client.patch(url, headers=admin.headers, json={"redact_pii": False})
    assert unredacted.status_code == 422
    assert unredacted.json()["type"].endswith("/originals-need-redaction")
    not_strict = await docs.client.patch(
        url, headers=admin.headers, json={"keep_original_files": "no"}
    )
    assert not_strict.status_code == 422

    both = await docs.client.patch(
        url, headers=admin.headers, json={"redact_pii": False, "keep_original_files": True}
    )
    assert both.status_code == 200, both.text
    assert (both.json()["redact_pii"], both.json()["keep_original_files"]) == (False, True)
