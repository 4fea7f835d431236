"""The ingestion monitor: how far indexing is, in the organization or one collection.

A re-index (`POST /api/collections/{id}/reindex`) puts every document back to `uploaded`;
its progress is how many have become `indexed` or `failed` since, read from the statuses.
"""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

from sift.core.auth import Principal
from sift.core.config import CoreSettings
from sift.core.db import ReadSession
from sift.core.pagination import cursor_time, cursor_uuid, decode_cursor, page_of
from sift.documents.collections.service import collection_service
from sift.documents.ingestion.repository import ingestion_repository, task_queue_repository
from sift.documents.ingestion.schemas import (
    FailureReason,
    IngestionRead,
    StatusCounts,
    WatchedStatus,
)
from sift.documents.models import CollectionRole, Document, DocumentStatus

INGEST_QUEUE = "ingest"  # search's indexing tasks (`search.ingest.*`)


class IngestionService:
    async def overview(
        self,
        session: ReadSession,
        redis: Redis,
        settings: CoreSettings,
        principal: Principal,
        *,
        collection_id: uuid.UUID | None,
    ) -> IngestionRead:
        await self._check_collection(session, principal, collection_id)
        by_status = await ingestion_repository.count_by_status(
            session, principal.org_id, collection_id
        )
        counts = StatusCounts.model_validate(by_status)
        reasons = await ingestion_repository.count_failures_by_code(
            session, principal.org_id, collection_id
        )
        return IngestionRead(
            collection_id=collection_id,
            queue_depth=await task_queue_repository.depth(redis, settings, INGEST_QUEUE),
            counts=counts,
            total=sum(by_status.values()),
            done=counts.indexed + counts.failed,
            failure_reasons=[
                FailureReason(code=code or "unknown", count=count) for code, count in reasons
            ],
        )

    async def documents(
        self,
        session: ReadSession,
        principal: Principal,
        *,
        status: WatchedStatus,
        collection_id: uuid.UUID | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[tuple[Document, str]], str | None]:
        """Documents waiting, being processed or failed, the latest change first."""
        await self._check_collection(session, principal, collection_id)
        last = decode_cursor(cursor, 2)
        rows = await ingestion_repository.page(
            session,
            principal.org_id,
            status=DocumentStatus(status.value),
            collection_id=collection_id,
            before=(cursor_time(last[0]), cursor_uuid(last[1])) if last else None,
            limit=limit + 1,
        )
        return page_of(rows, limit, lambda row: (row[0].status_changed_at, row[0].id))

    @staticmethod
    async def _check_collection(
        session: ReadSession, principal: Principal, collection_id: uuid.UUID | None
    ) -> None:
        """404 for a collection that is not the organization's."""
        if collection_id is not None:
            await collection_service.get(
                session, principal, collection_id, need=CollectionRole.manager
            )


ingestion_service = IngestionService()
