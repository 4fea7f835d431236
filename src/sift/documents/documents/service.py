"""Documents: reads, downloads, metadata changes and deletion (uploads and new versions are
in `uploads`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import (
    DeletionReason,
    DocumentDeleted,
    DocumentDownloaded,
    DocumentReindexRequested,
    DocumentUpdated,
)
from sift.core.auth import Principal
from sift.core.db import ReadSession
from sift.core.pagination import cursor_uuid, decode_cursor, page_of
from sift.core.storage import Storage
from sift.documents.collections.service import collection_service
from sift.documents.documents.exceptions import (
    DocumentNotFound,
    OriginalNotKept,
    ReindexWithoutOriginal,
    VersionNotFound,
)
from sift.documents.documents.repository import document_repository, version_repository
from sift.documents.documents.schemas import DocumentUpdate
from sift.documents.documents.status import mark_queued
from sift.documents.events import events
from sift.documents.models import CollectionRole, Document, DocumentStatus, DocumentVersion

log = structlog.get_logger()

# Filled in by PostgreSQL; refreshed by name so that `current_version` stays loaded.
SERVER_COLUMNS = ("created_at", "updated_at", "status_changed_at")


class DocumentService:
    # Reads.

    async def list_readable(
        self,
        session: ReadSession,
        principal: Principal,
        *,
        collection_id: uuid.UUID | None = None,
        status: DocumentStatus | None = None,
        tag: str | None = None,
        q: str | None = None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Document], str | None]:
        after = decode_cursor(cursor, 1)
        rows = await document_repository.page(
            session,
            principal,
            collection_id=collection_id,
            status=status,
            tag=tag,
            title_contains=q.strip() if q else None,
            before=cursor_uuid(after[0]) if after else None,
            limit=limit + 1,
        )
        return page_of(rows, limit, lambda row: (row.id,))

    async def get(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: uuid.UUID,
        *,
        need: CollectionRole = CollectionRole.viewer,
        for_update: bool = False,
    ) -> Document:
        """404 unless the caller may read the document; 403 if they may not do `need`."""
        document = await document_repository.get_readable(
            session, principal, document_id, for_update=for_update
        )
        if document is None:
            raise DocumentNotFound()
        if need is not CollectionRole.viewer:
            await collection_service.get(session, principal, document.collection_id, need=need)
        return document

    async def versions(
        self, session: ReadSession, principal: Principal, document_id: uuid.UUID
    ) -> tuple[Document, list[DocumentVersion]]:
        document = await self.get(session, principal, document_id)
        return document, await version_repository.of_document(session, document.id)

    async def content(
        self,
        session: AsyncSession,
        storage: Storage,
        principal: Principal,
        document_id: uuid.UUID,
        *,
        version_id: uuid.UUID | None = None,
    ) -> tuple[DocumentVersion, AsyncIterator[bytes]]:
        """The version's row and its bytes as a stream (ObjectNotFound before any byte);
        `document.downloaded` commits with the request, before the first byte is sent."""
        document = await self.get(session, principal, document_id)
        version = document.current_version
        if version_id is not None:
            version = await version_repository.get(session, document.id, version_id)
        if version is None:
            raise VersionNotFound()
        if version.original_dropped_at is not None:
            raise OriginalNotKept()
        stream = await storage.open(version.storage_key)
        await events.publish(
            session,
            DocumentDownloaded(
                document_id=document.id,
                version_id=version.id,
                collection_id=document.collection_id,
                size_bytes=version.size,
            ),
            org_id=document.org_id,
            actor_id=principal.user_id,
            subject_id=document.id,
        )
        return version, stream

    # Changes.

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: uuid.UUID,
        data: DocumentUpdate,
    ) -> Document:
        document = await self.get(
            session, principal, document_id, need=CollectionRole.editor, for_update=True
        )
        before = (document.title, list(document.tags), document.language_override)
        if data.title is not None:
            document.title = data.title
        if data.tags is not None:
            document.tags = data.tags
        relanguage = (
            "language" in data.model_fields_set and data.language != document.language_override
        )
        if relanguage:
            version = document.current_version
            if version is not None and version.original_dropped_at is not None:
                raise ReindexWithoutOriginal()  # a new language means indexing again
            document.language_override = data.language
            mark_queued(document)
        await session.flush()
        await session.refresh(document, attribute_names=SERVER_COLUMNS)
        if (document.title, list(document.tags), document.language_override) != before:
            await events.publish(
                session,
                DocumentUpdated(
                    document_id=document.id,
                    collection_id=document.collection_id,
                    title=document.title,
                    tags=list(document.tags),
                    language=document.language_override,
                ),
                org_id=document.org_id,
                actor_id=principal.user_id,
                subject_id=document.id,
            )
        if relanguage:
            await self._reindex_current(session, principal, document)
        return document

    @staticmethod
    async def _reindex_current(
        session: AsyncSession, principal: Principal, document: Document
    ) -> None:
        """Its language changed: search indexes the current version again, in it (the
        projection has the language by then: `document.updated` is published first)."""
        version = document.current_version
        if version is None:  # pragma: no cover - every live document has a version
            return
        await events.publish(
            session,
            DocumentReindexRequested(
                document_id=document.id,
                version_id=version.id,
                collection_id=document.collection_id,
                content_type=version.mime_type,
                storage_key=version.storage_key,
                filename=version.filename,
            ),
            org_id=document.org_id,
            actor_id=principal.user_id,
            subject_id=document.id,
        )

    async def delete(
        self, session: AsyncSession, principal: Principal, document_id: uuid.UUID
    ) -> uuid.UUID:
        """Hides the document and announces it; `purge` removes its blobs after the commit."""
        document = await self.get(
            session, principal, document_id, need=CollectionRole.editor, for_update=True
        )
        document.deleted_at = datetime.now(UTC)
        await session.flush()
        await events.publish(
            session,
            DocumentDeleted(
                document_id=document.id,
                collection_id=document.collection_id,
                reason=DeletionReason.user_request,
            ),
            org_id=document.org_id,
            actor_id=principal.user_id,
            subject_id=document.id,
        )
        return document.id

    async def purge(self, session: AsyncSession, storage: Storage, document_id: uuid.UUID) -> bool:
        """Every version's blob of a deleted document, then its rows; False if not (yet) due.

        Run after the deletion committed; running it twice is harmless.
        """
        document = await document_repository.get_deleted(session, document_id)
        if document is None:
            return False
        for version in await version_repository.of_document(session, document.id):
            await storage.delete(version.storage_key)
        await session.delete(document)
        await session.flush()
        log.info("document.purged", document_id=str(document_id))
        return True

    async def pending_purges(self, session: ReadSession, *, limit: int = 100) -> list[uuid.UUID]:
        """Deleted documents whose blobs are still to be removed (after a crash)."""
        return await document_repository.deleted_ids(session, limit=limit)


document_service = DocumentService()
