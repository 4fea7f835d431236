"""Work after the request: a deleted document's blobs leave storage once the deletion commits,
and blobs that no version row names (orphans) leave it after a grace period."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog

from sift.core.db import Database
from sift.core.storage import Storage
from sift.documents.documents.repository import version_repository
from sift.documents.documents.service import document_service

log = structlog.get_logger()


async def purge_document(database: Database, storage: Storage, document_id: uuid.UUID) -> bool:
    """Removes a deleted document's blobs, then its rows, in a transaction of its own."""
    try:
        async with database.sessionmaker() as session, session.begin():
            return await document_service.purge(session, storage, document_id)
    except Exception:
        # The row stays marked deleted: `purge_pending` finishes the job later.
        log.exception("document.purge_failed", document_id=str(document_id))
        return False


async def purge_pending(database: Database, storage: Storage, *, limit: int = 100) -> int:
    """Finishes deletions that a crash interrupted (for the scheduler)."""
    async with database.read_sessionmaker() as session:
        pending = await document_service.pending_purges(session, limit=limit)
    purged = 0
    for document_id in pending:
        purged += await purge_document(database, storage, document_id)
    return purged


BLOB_PREFIX = "documents/"  # every version's blob is documents/<org>/<document>/<version>
SWEEP_BATCH = 500


async def sweep_orphans(
    database: Database,
    storage: Storage,
    *,
    grace: timedelta,
    now: datetime | None = None,
) -> int:
    """Deletes blobs older than `grace` that no version row names; returns how many.

    An upload writes its blob, then commits its rows; a process that dies in between (or a
    failed clean-up) leaves the blob behind. An upload still in flight has a blob younger
    than `grace`, far longer than any request may last, and is left alone; so is every blob
    of a version row, including those of deleted documents awaiting `purge_pending`.
    """
    cutoff = (now or datetime.now(UTC)) - grace
    removed = 0
    candidates: list[str] = []
    async for item in storage.list_objects(BLOB_PREFIX):
        if item.modified_at < cutoff:
            candidates.append(item.key)
        if len(candidates) >= SWEEP_BATCH:
            removed += await _remove_orphans(database, storage, candidates)
            candidates = []
    if candidates:
        removed += await _remove_orphans(database, storage, candidates)
    if removed:
        log.info("documents.orphans_swept", blobs=removed)
    return removed


async def _remove_orphans(database: Database, storage: Storage, keys: list[str]) -> int:
    async with database.read_sessionmaker() as session:
        known = await version_repository.known_storage_keys(session, keys)
    removed = 0
    for key in keys:
        if key in known:
            continue
        try:
            removed += await storage.delete(key)
        except Exception:
            log.exception("documents.orphan_delete_failed", key=key)  # next sweep retries
    return removed
