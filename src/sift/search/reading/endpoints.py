"""`GET /api/search/documents/{document_id}/pages`: the document viewer's text."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from sift.core.db import ReadSessionDep
from sift.core.errors import RateLimited
from sift.search.reading.schemas import MAX_PAGES, DocumentPages
from sift.search.reading.service import reading_service
from sift.search.retrieval.endpoints import SearchLimit, SearchRead
from sift.search.retrieval.exceptions import DocumentNotFound

router = APIRouter(prefix="/api/search/documents", tags=["search"])


@router.get(
    "/{document_id}/pages",
    response_model=DocumentPages,
    responses={**DocumentNotFound.openapi(), **RateLimited.openapi()},
)
async def document_pages(
    principal: SearchRead,
    _: SearchLimit,
    document_id: uuid.UUID,
    session: ReadSessionDep,
    first: Annotated[int, Query(alias="from", ge=1, description="The first page wanted")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGES)] = 5,
) -> DocumentPages:
    """A readable document's extracted text, page by page, from page `from` on."""
    return await reading_service.pages(session, principal, document_id, first=first, limit=limit)
