"""Originals a collection does not keep: with `redact_pii` on and `keep_original_files` off,
a version's file leaves storage once search has indexed its redacted text.

The version is marked (`original_dropped_at`) in the consumer's transaction, then its blob is
deleted; a rolled-back transaction has the event delivered again, and both steps repeat.
Downloads then answer 410, and re-indexing (which needs the file) is refused with 409.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import DocumentIndexed
from sift.core.storage import Storage
from sift.documents.documents.repository import document_repository, version_repository
from sift.documents.models import Collection

log = structlog.get_logger()


async def drop_if_not_kept(
    session: AsyncSession, payload: DocumentIndexed, storage: Storage
) -> bool:
    """After `document.indexed` changed the status: True if the version's file was dropped."""
    if payload.redactions is None:  # indexed unredacted (e.g. redaction just turned on)
        return False
    document = await document_repository.get_live(session, payload.document_id)
    if document is None:
        return False
    collection = await session.get(Collection, document.collection_id)
    if collection is None or collection.keep_original_files or not collection.redact_pii:
        return False
    version = await version_repository.get(session, document.id, payload.version_id)
    if version is None:
        return False
    if version.original_dropped_at is None:
        version.original_dropped_at = datetime.now(UTC)
        await session.flush()
    await storage.delete(version.storage_key)  # idempotent: a redelivery deletes nothing
    log.info("document.original_dropped", document_id=str(document.id), version_id=str(version.id))
    return True
