"""Documents, their files and versions (`/api/documents`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse

from sift.core.db import Database, ReadSessionDep, SessionDep, get_database
from sift.core.errors import RateLimited
from sift.core.pagination import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    InvalidCursor,
    Page,
)
from sift.core.storage import ObjectNotFound, ObjectTooLarge
from sift.core.text import DisplayName, StorableText
from sift.documents.collections.exceptions import CollectionAccessDenied, CollectionNotFound
from sift.documents.dependencies import ConfigDep, StorageDep, UploadLimit
from sift.documents.documents import exceptions
from sift.documents.documents.auth import CollectionsManage, DocumentsRead, DocumentsWrite
from sift.documents.documents.cleanup import purge_document
from sift.documents.documents.filenames import content_disposition
from sift.documents.documents.reindex import document_reindex_service
from sift.documents.documents.schemas import (
    DocumentRead,
    DocumentUpdate,
    ReindexRead,
    VersionRead,
    clean_tags,
)
from sift.documents.documents.service import document_service
from sift.documents.documents.uploads import document_upload_service
from sift.documents.models import TITLE_LENGTH, DocumentStatus

router = APIRouter(prefix="/api/documents", tags=["documents"])

T = TypeVar("T")

_NOT_FOUND = exceptions.DocumentNotFound.openapi()
_DENIED = CollectionAccessDenied.openapi()
_UPLOAD_ERRORS = {
    **RateLimited.openapi(),
    **ObjectTooLarge.openapi(),
    **exceptions.UnsupportedFileType.openapi(),
    **exceptions.DuplicateDocument.openapi(),
    **exceptions.EmptyFile.openapi(),
    **_DENIED,
}


def _clean(clean: Callable[[T], T], value: T, field: str) -> T:
    # Form fields are checked here, and refused like any other invalid field (422).
    try:
        return clean(value)
    except ValueError as exc:
        raise RequestValidationError(
            [{"loc": ("body", field), "msg": str(exc), "type": "value_error"}]
        ) from None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentRead,
    responses={**_UPLOAD_ERRORS, **CollectionNotFound.openapi()},
)
async def upload_document(
    principal: DocumentsWrite,
    _: UploadLimit,
    session: SessionDep,
    storage: StorageDep,
    config: ConfigDep,
    file: Annotated[UploadFile, File(description="PDF, DOCX, HTML, Markdown or plain text")],
    collection_id: Annotated[uuid.UUID, Form()],
    title: Annotated[DisplayName | None, Form(max_length=TITLE_LENGTH)] = None,
    tags: Annotated[
        list[StorableText] | None, Form(description="comma-separated, or repeated")
    ] = None,
) -> DocumentRead:
    """Upload a file into a collection; 409 names the document that has the same bytes."""
    cleaned_tags = _clean(clean_tags, tags, "tags")
    document = await document_upload_service.upload(
        session,
        storage,
        principal,
        collection_id=collection_id,
        file=file,
        title=title,
        tags=cleaned_tags or [],
        max_size=config.max_upload_bytes,
    )
    return DocumentRead.of(document)


@router.get("", response_model=Page[DocumentRead], responses=InvalidCursor.openapi())
async def list_documents(
    principal: DocumentsRead,
    session: ReadSessionDep,
    collection_id: uuid.UUID | None = None,
    status: DocumentStatus | None = None,
    tag: StorableText | None = Query(default=None, max_length=50),
    q: StorableText | None = Query(default=None, max_length=200, description="in the title"),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[DocumentRead]:
    """The documents the caller may read, newest first."""
    rows, next_cursor = await document_service.list_readable(
        session,
        principal,
        collection_id=collection_id,
        status=status,
        tag=tag,
        q=q,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[DocumentRead.of(row) for row in rows], next_cursor=next_cursor)


@router.post("/reindex", status_code=status.HTTP_202_ACCEPTED, response_model=ReindexRead)
async def reindex_everything(principal: CollectionsManage, session: SessionDep) -> ReindexRead:
    """Index every document of the organization again (owners and admins)."""
    return ReindexRead(queued=await document_reindex_service.reindex_everything(session, principal))


@router.get("/{document_id}", response_model=DocumentRead, responses=_NOT_FOUND)
async def get_document(
    principal: DocumentsRead, document_id: uuid.UUID, session: ReadSessionDep
) -> DocumentRead:
    """A document's metadata and indexing status."""
    return DocumentRead.of(await document_service.get(session, principal, document_id))


@router.patch(
    "/{document_id}",
    response_model=DocumentRead,
    responses={**_NOT_FOUND, **_DENIED, **exceptions.ReindexWithoutOriginal.openapi()},
)
async def update_document(
    principal: DocumentsWrite, document_id: uuid.UUID, body: DocumentUpdate, session: SessionDep
) -> DocumentRead:
    """Change a document's title, tags or language (a new language re-indexes it)."""
    return DocumentRead.of(await document_service.update(session, principal, document_id, body))


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_NOT_FOUND, **_DENIED},
)
async def delete_document(
    principal: DocumentsWrite,
    document_id: uuid.UUID,
    session: SessionDep,
    storage: StorageDep,
    database: Annotated[Database, Depends(get_database)],
    background: BackgroundTasks,
) -> None:
    """Delete a document; every version's file leaves storage once the deletion commits."""
    deleted = await document_service.delete(session, principal, document_id)
    background.add_task(purge_document, database, storage, deleted)


@router.get(
    "/{document_id}/content",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The original file, as the media type it was stored with",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        **_NOT_FOUND,
        **exceptions.VersionNotFound.openapi(),
        **ObjectNotFound.openapi(),
        **exceptions.OriginalNotKept.openapi(),
    },
)
async def download_document(
    principal: DocumentsRead,
    document_id: uuid.UUID,
    session: SessionDep,
    storage: StorageDep,
    version_id: uuid.UUID | None = None,
) -> StreamingResponse:
    """The original file (the current version unless `version_id` names another); the
    download is recorded in the audit log."""
    version, stream = await document_service.content(
        session, storage, principal, document_id, version_id=version_id
    )
    media_type = version.mime_type
    if version.charset:
        media_type += f"; charset={version.charset}"
    return StreamingResponse(
        stream,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(version.filename),
            "Content-Length": str(version.size),
            "X-Content-Type-Options": "nosniff",
            # Never rendered as a page of ours, even if a browser tried.
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/{document_id}/versions", response_model=Page[VersionRead], responses=_NOT_FOUND)
async def list_versions(
    principal: DocumentsRead, document_id: uuid.UUID, session: ReadSessionDep
) -> Page[VersionRead]:
    """Every version of a document, newest first."""
    document, versions = await document_service.versions(session, principal, document_id)
    return Page(items=[VersionRead.of(version, document) for version in versions])


@router.post(
    "/{document_id}/versions",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentRead,
    responses={**_NOT_FOUND, **_UPLOAD_ERRORS},
)
async def add_version(
    principal: DocumentsWrite,
    _: UploadLimit,
    document_id: uuid.UUID,
    session: SessionDep,
    storage: StorageDep,
    config: ConfigDep,
    file: Annotated[UploadFile, File(description="the new content")],
) -> DocumentRead:
    """Upload a new version of a document; it becomes current and is indexed again."""
    document, _version = await document_upload_service.add_version(
        session, storage, principal, document_id, file=file, max_size=config.max_upload_bytes
    )
    return DocumentRead.of(document)


@router.post(
    "/{document_id}/reindex",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DocumentRead,
    responses={**_NOT_FOUND, **_DENIED, **exceptions.ReindexWithoutOriginal.openapi()},
)
async def reindex_document(
    principal: DocumentsWrite, document_id: uuid.UUID, session: SessionDep
) -> DocumentRead:
    """Index a document again (after a failure, or to refresh it); 409 when its collection
    did not keep its original file."""
    return DocumentRead.of(await document_reindex_service.reindex(session, principal, document_id))
