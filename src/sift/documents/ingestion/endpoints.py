"""The ingestion monitor (`/api/documents/ingestion`): queue, progress and failures.

Retrying a failed document is `POST /api/documents/{id}/reindex` (after a fixed version is
uploaded, `POST /api/documents/{id}/versions` indexes it anyway); re-indexing a collection
is `POST /api/collections/{id}/reindex`, whose progress `GET /api/documents/ingestion?
collection_id=` shows.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from sift.core.db import ReadSessionDep
from sift.core.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT, InvalidCursor, Page
from sift.core.text import StorableText
from sift.documents.collections.exceptions import CollectionNotFound
from sift.documents.dependencies import RedisDep, SettingsDep
from sift.documents.ingestion.auth import CollectionsManage
from sift.documents.ingestion.schemas import IngestionDocumentRead, IngestionRead, WatchedStatus
from sift.documents.ingestion.service import ingestion_service

router = APIRouter(prefix="/api/documents/ingestion", tags=["ingestion"])


@router.get("", response_model=IngestionRead, responses=CollectionNotFound.openapi())
async def get_ingestion(
    principal: CollectionsManage,
    session: ReadSessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    collection_id: uuid.UUID | None = None,
) -> IngestionRead:
    """Indexing at a glance: the queue, documents by status, failures by reason."""
    return await ingestion_service.overview(
        session, redis, settings, principal, collection_id=collection_id
    )


@router.get(
    "/documents",
    response_model=Page[IngestionDocumentRead],
    responses={**CollectionNotFound.openapi(), **InvalidCursor.openapi()},
)
async def list_ingestion_documents(
    principal: CollectionsManage,
    session: ReadSessionDep,
    status: WatchedStatus = WatchedStatus.failed,
    collection_id: uuid.UUID | None = None,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[IngestionDocumentRead]:
    """Documents waiting, being processed or failed (with the reason), latest first."""
    rows, next_cursor = await ingestion_service.documents(
        session,
        principal,
        status=status,
        collection_id=collection_id,
        cursor=cursor,
        limit=limit,
    )
    items = [IngestionDocumentRead.of_row(document, name) for document, name in rows]
    return Page(items=items, next_cursor=next_cursor)
