"""The numbers of the ingestion monitor: documents by status in SQL, the task queue in Redis."""

from __future__ import annotations

import uuid
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import ColumnElement, func, select

from sift.core.config import CoreSettings
from sift.core.db import ReadSession
from sift.documents.documents.repository import WITH_CURRENT_VERSION, document_repository
from sift.documents.models import Collection, Document, DocumentStatus

# Celery's Redis transport keeps a queue as a list, one more per priority step it used
# (`<queue>\x06\x16<priority>`); unprioritized messages are all in the first.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


class IngestionRepository:
    def _scope(
        self, org_id: uuid.UUID, collection_id: uuid.UUID | None
    ) -> tuple[ColumnElement[bool], ...]:
        where: list[ColumnElement[bool]] = [Document.deleted_at.is_(None)]
        where.append(Document.org_id == org_id)
        if collection_id is not None:
            where.append(Document.collection_id == collection_id)
        return tuple(where)

    async def count_by_status(
        self, session: ReadSession, org_id: uuid.UUID, collection_id: uuid.UUID | None
    ) -> dict[str, int]:
        query = (
            select(Document.status, func.count())
            .where(*self._scope(org_id, collection_id))
            .group_by(Document.status)
        )
        return {status: int(count) for status, count in (await session.execute(query)).all()}

    async def count_failures_by_code(
        self, session: ReadSession, org_id: uuid.UUID, collection_id: uuid.UUID | None
    ) -> list[tuple[str | None, int]]:
        """The failed documents' error codes, the most frequent first."""
        count = func.count().label("count")
        query = (
            select(Document.error_code, count)
            .where(*self._scope(org_id, collection_id), Document.status == DocumentStatus.failed)
            .group_by(Document.error_code)
            .order_by(count.desc(), Document.error_code)
        )
        return [(code, int(count)) for code, count in (await session.execute(query)).all()]

    async def page(
        self,
        session: ReadSession,
        org_id: uuid.UUID,
        *,
        status: DocumentStatus,
        collection_id: uuid.UUID | None,
        before: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[tuple[Document, str]]:
        """Documents in `status` with their collection's name, the latest change first."""
        query = (
            document_repository.base(*WITH_CURRENT_VERSION)
            .add_columns(Collection.name)
            .join(Collection, Collection.id == Document.collection_id)
            .where(*self._scope(org_id, collection_id), Document.status == status)
            .order_by(Document.status_changed_at.desc(), Document.id.desc())
            .limit(limit)
        )
        if before is not None:
            changed_at, document_id = before
            query = query.where(
                (Document.status_changed_at < changed_at)
                | ((Document.status_changed_at == changed_at) & (Document.id < document_id))
            )
        rows = (await session.execute(query)).unique().all()
        return [(document, name) for document, name in rows]


class TaskQueueRepository:
    async def depth(self, redis: Redis, settings: CoreSettings, queue: str) -> int | None:
        """Messages waiting in a Celery queue (not those a worker holds); None without Redis."""
        key = settings.redis_prefix + queue
        keys = [key, *(f"{key}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS)]
        try:
            async with redis.pipeline(transaction=False) as pipe:
                for name in keys:
                    pipe.llen(name)
                lengths = await pipe.execute()
        except RedisError:
            return None
        return sum(int(length) for length in lengths)


ingestion_repository = IngestionRepository()
task_queue_repository = TaskQueueRepository()
