"""Retention of export archives: once an export's link has expired, its archive leaves
storage and the request is marked `expired` (its row stays, as the record that it was
answered). The `audit.purge_expired_exports` job runs it; safe to run again at any point:
the archive is deleted before the row changes, and deleting a missing archive is no error."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from sift.core.db import Database
from sift.core.privacy import export_prefix
from sift.core.storage import Storage

log = structlog.get_logger()

PURGE_BATCH = 100


async def _expired(session: AsyncSession, now: datetime, *, limit: int) -> Sequence[PrivacyRequest]:
    """Ready exports whose link expired, oldest first, locked (another run skips them)."""
    return (
        await session.scalars(
            select(PrivacyRequest)
            .where(
                PrivacyRequest.kind == RequestKind.export,
                PrivacyRequest.status == RequestStatus.ready,
                PrivacyRequest.expires_at <= now,
            )
            .order_by(PrivacyRequest.expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def _delete_objects(storage: Storage, request_id: uuid.UUID) -> int:
    """The archive and any part left beside it."""
    keys = [item.key async for item in storage.list_objects(export_prefix(request_id) + "/")]
    return sum([await storage.delete(key) for key in keys])


async def purge_expired_exports(
    database: Database,
    storage: Storage,
    *,
    batch_size: int = PURGE_BATCH,
    now: datetime | None = None,
) -> int:
    """Deletes the archives of exports whose link expired and marks them expired; how many."""
    moment = now or datetime.now(UTC)
    total = objects = 0
    while True:
        async with database.sessionmaker() as session, session.begin():
            requests = await _expired(session, moment, limit=batch_size)
            for request in requests:
                objects += await _delete_objects(storage, request.id)
                request.status = RequestStatus.expired
                request.archive_key = None
        total += len(requests)
        if len(requests) < batch_size:
            break
    log.info("privacy.exports_expired", requests=total, objects_deleted=objects)
    return total
