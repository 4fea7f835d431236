"""`POST /api/search/clicks`: the web app reports an opened search result."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from sift.core.db import SessionDep
from sift.search.access.auth import SearchRead
from sift.search.clicks.exceptions import QueryNotFound
from sift.search.clicks.schemas import ClickCreate
from sift.search.clicks.service import click_service

router = APIRouter(prefix="/api/search", tags=["search"])


@router.post(
    "/clicks",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=QueryNotFound.openapi(),
)
async def report_click(principal: SearchRead, body: ClickCreate, session: SessionDep) -> Response:
    """Report that the caller opened a result of one of their organization's searches."""
    await click_service.record(session, principal, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
