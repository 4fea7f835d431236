"""`POST /api/search`, and the assistant's internal retrieval endpoints.

The internal routes are served by the search app under `/internal/search`, a prefix the
gateway does not route: the assistant calls them service to service, forwarding the end
user's own bearer token, so that retrieval sees exactly what that user may read.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from sift.core.auth import Authorize, Principal
from sift.core.db import ReadSessionDep, SessionDep
from sift.core.errors import RateLimited
from sift.core.ratelimit import ConfiguredLimit, by_principal
from sift.search.config import SearchSettings
from sift.search.retrieval.cursor import InvalidCursor
from sift.search.retrieval.engine import Retrieval
from sift.search.retrieval.exceptions import DocumentNotFound
from sift.search.retrieval.schemas import (
    DocumentPassages,
    RetrieveRequest,
    RetrieveResponse,
    SearchRequest,
    SearchResponse,
)
from sift.search.retrieval.service import retrieval_service

SearchRead = Annotated[Principal, Depends(Authorize("search:read"))]


async def get_retrieval(request: Request) -> Retrieval:
    retrieval: Retrieval = request.app.state.retrieval
    return retrieval


RetrievalDep = Annotated[Retrieval, Depends(get_retrieval)]


def _search_config(request: Request) -> SearchSettings:
    retrieval: Retrieval = request.app.state.retrieval
    return retrieval.config


def _limit(name: str, setting: str) -> ConfiguredLimit:
    return ConfiguredLimit(name, setting, settings_of=_search_config, key=by_principal)


# Declared after the principal's dependency, so that the count is per caller.
SearchLimit = Annotated[None, Depends(_limit("search.query", "search_rate_limit"))]
RetrieveLimit = Annotated[None, Depends(_limit("search.retrieve", "retrieve_rate_limit"))]

router = APIRouter(prefix="/api/search", tags=["search"])
internal_router = APIRouter(prefix="/internal/search", tags=["internal"])


@router.post(
    "",
    response_model=SearchResponse,
    responses={**InvalidCursor.openapi(), **RateLimited.openapi()},
)
async def search(
    principal: SearchRead,
    _: SearchLimit,
    body: SearchRequest,
    session: SessionDep,
    retrieval: RetrievalDep,
) -> SearchResponse:
    """Search the caller's readable documents (hybrid, fulltext or semantic)."""
    return await retrieval_service.search(session, retrieval, principal, body)


@internal_router.post("/retrieve", response_model=RetrieveResponse, responses=RateLimited.openapi())
async def retrieve(
    principal: SearchRead,
    _: RetrieveLimit,
    body: RetrieveRequest,
    session: ReadSessionDep,
    retrieval: RetrievalDep,
) -> RetrieveResponse:
    """Top passages for the assistant, as the end user whose token is forwarded may read."""
    passages = await retrieval_service.retrieve(session, retrieval, principal, body)
    return RetrieveResponse(passages=passages)


@internal_router.get(
    "/documents/{document_id}/passages",
    response_model=DocumentPassages,
    responses={**DocumentNotFound.openapi(), **RateLimited.openapi()},
)
async def document_passages(
    principal: SearchRead,
    _: RetrieveLimit,
    document_id: uuid.UUID,
    session: ReadSessionDep,
) -> DocumentPassages:
    """Every passage of a readable document's indexed version, in order."""
    return await retrieval_service.document_passages(session, principal, document_id)
