"""The orphan sweep: blobs no version row names, older than the grace period, are deleted."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.config import StorageSettings
from sift.core.storage import LocalStorage
from sift.documents.documents.cleanup import sweep_orphans
from sift.documents.models import Document, DocumentVersion
from tests.documents.conftest import Documents, DocumentsFactory, make_collection

GRACE = timedelta(hours=6)


def age(docs: Documents, key: str, by: timedelta) -> None:
    assert isinstance(docs.storage, LocalStorage)
    then = time.time() - by.total_seconds()
    os.utime(docs.storage.root / key, (then, then))


async def keys_of(session: AsyncSession, document_id: str) -> list[str]:
    rows = await session.scalars(
        select(DocumentVersion.storage_key).where(
            DocumentVersion.document_id == uuid.UUID(document_id)
        )
    )
    return list(rows)


async def test_an_old_orphan_goes_and_real_or_fresh_blobs_stay(
    docs: Documents, session: AsyncSession
) -> None:
    collection = await make_collection(session, docs.org_id)
    editor = docs.caller()
    kept = await docs.uploaded(editor, collection.id)
    deleted = await docs.uploaded(editor, collection.id)
    [kept_key] = await keys_of(session, kept["id"])
    [deleted_key] = await keys_of(session, deleted["id"])
    # A deleted document awaiting its purge still owns its blob (purge_pending removes it).
    document = await session.get(Document, uuid.UUID(deleted["id"]))
    assert document is not None
    document.deleted_at = datetime.now(UTC)
    await session.flush()

    # Uploads that died between the blob and the commit: one long ago, one just now (it may
    # still be in flight).
    orphan = f"documents/{docs.org_id}/{uuid.uuid4()}/{uuid.uuid4()}"
    fresh = f"documents/{docs.org_id}/{uuid.uuid4()}/{uuid.uuid4()}"
    await docs.storage.put(orphan, b"crashed before the commit")
    await docs.storage.put(fresh, b"being uploaded")
    for key in (orphan, kept_key, deleted_key):
        age(docs, key, GRACE + timedelta(minutes=5))

    database = docs.app.state.database
    assert await sweep_orphans(database, docs.storage, grace=GRACE) == 1
    assert not await docs.storage.exists(orphan)
    for key in (fresh, kept_key, deleted_key):
        assert await docs.storage.exists(key)
    download = await docs.client.get(f"/api/documents/{kept['id']}/content", headers=editor.headers)
    assert download.status_code == 200

    # Once past the grace period the abandoned upload goes too; a second sweep finds nothing.
    later = datetime.now(UTC) + GRACE + timedelta(minutes=1)
    assert await sweep_orphans(database, docs.storage, grace=GRACE, now=later) == 1
    assert not await docs.storage.exists(fresh)
    assert await sweep_orphans(database, docs.storage, grace=GRACE, now=later) == 0
    assert {await docs.storage.exists(k) for k in (kept_key, deleted_key)} == {True}


async def test_the_sweep_works_on_s3(
    documents_factory: DocumentsFactory, s3_settings: StorageSettings, session: AsyncSession
) -> None:
    async with documents_factory(storage=s3_settings) as docs:
        collection = await make_collection(session, docs.org_id)
        kept = await docs.uploaded(docs.caller(), collection.id)
        [kept_key] = await keys_of(session, kept["id"])
        orphan = f"documents/{docs.org_id}/{uuid.uuid4()}/{uuid.uuid4()}"
        await docs.storage.put(orphan, b"crashed before the commit")

        database = docs.app.state.database
        assert await sweep_orphans(database, docs.storage, grace=GRACE) == 0  # too young
        later = datetime.now(UTC) + GRACE + timedelta(minutes=1)
        assert await sweep_orphans(database, docs.storage, grace=GRACE, now=later) == 1
        assert not await docs.storage.exists(orphan)
        assert await docs.storage.exists(kept_key)
