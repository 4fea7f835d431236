"""Collections and their grants (`/api/collections`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status

from sift.core.db import ReadSessionDep, SessionDep
from sift.core.pagination import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    InvalidCursor,
    Page,
)
from sift.core.text import StorableText
from sift.documents.collections import exceptions
from sift.documents.collections.auth import CollectionsManage, DocumentsRead, DocumentsWrite
from sift.documents.collections.schemas import (
    CollectionCreate,
    CollectionRead,
    CollectionUpdate,
    MemberGrant,
    MemberRead,
)
from sift.documents.collections.service import collection_service
from sift.documents.documents.reindex import document_reindex_service
from sift.documents.documents.schemas import ReindexRead

router = APIRouter(prefix="/api/collections", tags=["collections"])

_NOT_FOUND = exceptions.CollectionNotFound.openapi()
_DENIED = exceptions.CollectionAccessDenied.openapi()


@router.get("", response_model=Page[CollectionRead], responses=InvalidCursor.openapi())
async def list_collections(
    principal: DocumentsRead,
    session: ReadSessionDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[CollectionRead]:
    """The collections the caller may read, by name."""
    rows, next_cursor = await collection_service.list_readable(
        session, principal, limit=limit, cursor=cursor
    )
    return Page(
        items=[CollectionRead.from_row(c, role=role) for c, role in rows], next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CollectionRead,
    responses={
        **exceptions.CollectionNameTaken.openapi(),
        **exceptions.OriginalsNeedRedaction.openapi(),
    },
)
async def create_collection(
    principal: CollectionsManage, body: CollectionCreate, session: SessionDep
) -> CollectionRead:
    """Create a collection in the current organization."""
    collection, role = await collection_service.create(session, principal, body)
    return CollectionRead.from_row(collection, role=role)


@router.get("/{collection_id}", response_model=CollectionRead, responses=_NOT_FOUND)
async def get_collection(
    principal: DocumentsRead, collection_id: uuid.UUID, session: ReadSessionDep
) -> CollectionRead:
    """One collection the caller may read."""
    collection, role = await collection_service.get(session, principal, collection_id)
    return CollectionRead.from_row(collection, role=role)


@router.patch(
    "/{collection_id}",
    response_model=CollectionRead,
    responses={
        **_NOT_FOUND,
        **_DENIED,
        **exceptions.CollectionNameTaken.openapi(),
        **exceptions.OriginalsNeedRedaction.openapi(),
    },
)
async def update_collection(
    principal: CollectionsManage,
    collection_id: uuid.UUID,
    body: CollectionUpdate,
    session: SessionDep,
) -> CollectionRead:
    """Rename, describe, or change who may read a collection; a change of `redact_pii`
    re-indexes its documents (but those whose original file is no longer kept)."""
    redacted = None
    if body.redact_pii is not None:
        redacted = (await collection_service.get(session, principal, collection_id))[0].redact_pii
    collection, role = await collection_service.update(session, principal, collection_id, body)
    if redacted is not None and collection.redact_pii != redacted:
        # After collection.updated in the outbox: search has the setting when it re-indexes.
        await document_reindex_service.reindex_collection(session, principal, collection.id)
    return CollectionRead.from_row(collection, role=role)


@router.delete(
    "/{collection_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_NOT_FOUND, **_DENIED, **exceptions.CollectionNotEmpty.openapi()},
)
async def delete_collection(
    principal: CollectionsManage, collection_id: uuid.UUID, session: SessionDep
) -> None:
    """Delete an empty collection (409 while it holds documents)."""
    await collection_service.delete(session, principal, collection_id)


@router.post(
    "/{collection_id}/reindex",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReindexRead,
    responses={**_NOT_FOUND, **_DENIED},
)
async def reindex_collection(
    principal: DocumentsWrite, collection_id: uuid.UUID, session: SessionDep
) -> ReindexRead:
    """Index every document of a collection again (collection managers)."""
    queued = await document_reindex_service.reindex_collection(session, principal, collection_id)
    return ReindexRead(queued=queued)


@router.get(
    "/{collection_id}/members",
    response_model=Page[MemberRead],
    responses={**_NOT_FOUND, **InvalidCursor.openapi()},
)
async def list_members(
    principal: DocumentsRead,
    collection_id: uuid.UUID,
    session: ReadSessionDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[MemberRead]:
    """The grants on a collection."""
    rows, next_cursor = await collection_service.members(
        session, principal, collection_id, limit=limit, cursor=cursor
    )
    return Page(items=[MemberRead.from_row(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/{collection_id}/members/{user_id}",
    response_model=MemberRead,
    responses={**_NOT_FOUND, **exceptions.GrantNotFound.openapi()},
)
async def get_member(
    principal: DocumentsRead,
    collection_id: uuid.UUID,
    user_id: uuid.UUID,
    session: ReadSessionDep,
) -> MemberRead:
    """One user's grant on a collection."""
    grant = await collection_service.member(session, principal, collection_id, user_id)
    return MemberRead.from_row(grant)


@router.put(
    "/{collection_id}/members/{user_id}",
    response_model=MemberRead,
    responses={**_NOT_FOUND, **_DENIED, **exceptions.CollectionNotRestricted.openapi()},
)
async def put_member(
    principal: DocumentsWrite,
    collection_id: uuid.UUID,
    user_id: uuid.UUID,
    body: MemberGrant,
    session: SessionDep,
) -> MemberRead:
    """Grant a user a role on a restricted collection, or change it (collection managers)."""
    grant = await collection_service.grant(session, principal, collection_id, user_id, body.role)
    return MemberRead.from_row(grant)


@router.delete(
    "/{collection_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_NOT_FOUND, **_DENIED, **exceptions.GrantNotFound.openapi()},
)
async def delete_member(
    principal: DocumentsWrite,
    collection_id: uuid.UUID,
    user_id: uuid.UUID,
    session: SessionDep,
) -> None:
    """Revoke a user's grant on a collection (collection managers)."""
    await collection_service.revoke(session, principal, collection_id, user_id)
