"""Deletion: every version's blob leaves storage after the commit, also after a crash and on S3."""

from __future__ import annotations

import uuid

from mypy_boto3_s3 import S3Client
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.config import StorageSettings
from sift.documents.models import Document, DocumentVersion
from tests.documents import samples
from tests.documents.conftest import (
    Documents,
    DocumentsFactory,
    make_collection,
    outbox,
)


async def test_delete_removes_every_version_from_storage_after_commit(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    editor = docs.caller("editor")
    created = await docs.uploaded(editor, collection_id, samples.pdf(), filename="v1.pdf")
    second = await docs.client.post(
        f"/api/documents/{created['id']}/versions",
        headers=editor.headers,
        files={"file": ("v2.pdf", samples.pdf(), "application/pdf")},
    )
    assert second.status_code == 201
    keys = list(
        await session.scalars(
            select(DocumentVersion.storage_key).where(
                DocumentVersion.document_id == uuid.UUID(created["id"])
            )
        )
    )
    assert len(keys) == 2
    assert all([await docs.storage.exists(key) for key in keys])

    answer = await docs.client.delete(f"/api/documents/{created['id']}", headers=editor.headers)

    assert answer.status_code == 204
    for key in keys:
        assert not await docs.storage.exists(key)
    assert docs.files == []
    assert await session.get(Document, uuid.UUID(created["id"])) is None  # rows purged too
    [event] = await outbox(session, "document.deleted")
    assert event["data"] == {
        "document_id": created["id"],
        "collection_id": str(collection_id),
        "reason": "user_request",
    }
    gone = await docs.client.get(f"/api/documents/{created['id']}", headers=editor.headers)
    assert gone.status_code == 404
    again = await docs.client.delete(f"/api/documents/{created['id']}", headers=editor.headers)
    assert again.status_code == 404
    # The same bytes may come back once the document is deleted.
    assert (await docs.upload(editor, collection_id, b"fresh")).status_code == 201


async def test_an_interrupted_purge_is_finished_later(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    from datetime import UTC, datetime

    from sift.documents.documents.cleanup import purge_pending

    created = await docs.uploaded(docs.caller(), collection_id)
    document = await session.get(Document, uuid.UUID(created["id"]))
    assert document is not None
    document.deleted_at = datetime.now(UTC)  # as if the process died after the commit
    await session.flush()
    [key] = list(await session.scalars(select(DocumentVersion.storage_key)))

    assert await purge_pending(docs.app.state.database, docs.storage) == 1

    assert not await docs.storage.exists(key)
    session.expunge_all()
    assert await session.get(Document, uuid.UUID(created["id"])) is None
    assert await purge_pending(docs.app.state.database, docs.storage) == 0


async def test_on_s3_too_every_version_goes_with_the_document(
    documents_factory: DocumentsFactory,
    session: AsyncSession,
    s3_settings: StorageSettings,
    s3_client: S3Client,
) -> None:
    async with documents_factory(storage=s3_settings) as docs:
        collection = await make_collection(session, docs.org_id)
        editor = docs.caller("editor")
        content = samples.pdf()
        created = await docs.uploaded(editor, collection.id, content, filename="s3.pdf")
        second = await docs.client.post(
            f"/api/documents/{created['id']}/versions",
            headers=editor.headers,
            files={"file": ("s3.docx", samples.docx(), "application/octet-stream")},
        )
        assert second.status_code == 201
        old = await docs.client.get(
            f"/api/documents/{created['id']}/content",
            headers=editor.headers,
            params={"version_id": created["version_id"]},
        )
        assert old.content == content
        listed = s3_client.list_object_versions(Bucket=s3_settings.s3_bucket)
        assert len(listed.get("Versions", [])) == 2

        answer = await docs.client.delete(f"/api/documents/{created['id']}", headers=editor.headers)

        assert answer.status_code == 204
        listed = s3_client.list_object_versions(Bucket=s3_settings.s3_bucket)
        assert listed.get("Versions", []) == []
        assert listed.get("DeleteMarkers", []) == []
