"""`/internal/search/documents/readable`: which of some documents the caller reads now.

Served under `/internal/search`, which the gateway does not route. The assistant calls it
with the end user's forwarded token to hide the quotes of a stored conversation that the
caller may no longer read (a revoked grant, a moved or deleted document, a narrower key).
"""

from __future__ import annotations

from fastapi import APIRouter

from sift.core.db import ReadSessionDep
from sift.search.access.auth import SearchRead
from sift.search.access.schemas import ReadableDocuments, ReadableDocumentsRequest
from sift.search.access.service import access_service

internal_router = APIRouter(prefix="/internal/search/documents", tags=["internal"])


@internal_router.post("/readable", response_model=ReadableDocuments)
async def readable_documents(
    principal: SearchRead, body: ReadableDocumentsRequest, session: ReadSessionDep
) -> ReadableDocuments:
    """The documents among those asked about that the caller may read now."""
    readable = await access_service.readable_documents(session, principal, body.document_ids)
    return ReadableDocuments(document_ids=sorted(readable))
