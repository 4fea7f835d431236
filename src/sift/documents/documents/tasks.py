"""Work after the request: a deleted document's blobs leave storage once the deletion commits."""

from __future__ import annotations

import uuid

import structlog

from sift.core.db import Database
from sift.core.storage import Storage
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
