"""Saved searches (`/api/saved-searches`): each user's own, in the current organization."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from sift.core.db import ReadSessionDep, SessionDep
from sift.core.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT, InvalidCursor
from sift.core.text import StorableText
from sift.search.access.exceptions import UnknownCollections
from sift.search.config import SearchSettings, get_search_settings
from sift.search.saved import exceptions
from sift.search.saved.auth import SearchRead
from sift.search.saved.schemas import (
    SavedSearchCreate,
    SavedSearchPage,
    SavedSearchRead,
)
from sift.search.saved.service import saved_search_service

router = APIRouter(prefix="/api/saved-searches", tags=["saved-searches"])


async def search_settings() -> SearchSettings:
    # A dependency, so `async`: FastAPI runs a plain function's in a worker thread.
    return get_search_settings()


SearchSettingsDep = Annotated[SearchSettings, Depends(search_settings)]
_NOT_FOUND = exceptions.SavedSearchNotFound.openapi()


@router.get("", response_model=SavedSearchPage, responses=InvalidCursor.openapi())
async def list_saved_searches(
    principal: SearchRead,
    session: ReadSessionDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> SavedSearchPage:
    """The caller's saved searches in the current organization, newest first."""
    rows, next_cursor = await saved_search_service.list(
        session, principal, limit=limit, cursor=cursor
    )
    return SavedSearchPage(
        items=[SavedSearchRead.model_validate(saved) for saved in rows], next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SavedSearchRead,
    responses={
        **exceptions.SavedSearchNameTaken.openapi(),
        **exceptions.SavedSearchLimitReached.openapi(),
        **UnknownCollections.openapi(),
    },
)
async def create_saved_search(
    principal: SearchRead, body: SavedSearchCreate, session: SessionDep, config: SearchSettingsDep
) -> SavedSearchRead:
    """Save a query with its filters (collections the caller reads); `notify` tells the caller
    of newly indexed matches."""
    saved = await saved_search_service.create(
        session, principal, body, max_per_user=config.saved_searches_per_user
    )
    return SavedSearchRead.model_validate(saved)


@router.get("/{saved_search_id}", response_model=SavedSearchRead, responses=_NOT_FOUND)
async def get_saved_search(
    principal: SearchRead, saved_search_id: uuid.UUID, session: ReadSessionDep
) -> SavedSearchRead:
    """One of the caller's saved searches."""
    return SavedSearchRead.model_validate(
        await saved_search_service.get(session, principal, saved_search_id)
    )


@router.delete("/{saved_search_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND)
async def delete_saved_search(
    principal: SearchRead, saved_search_id: uuid.UUID, session: SessionDep
) -> Response:
    """Delete one of the caller's saved searches (its notifications stop)."""
    await saved_search_service.delete(session, principal, saved_search_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
