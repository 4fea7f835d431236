"""Reindex requests: a document, a collection or a whole organization indexed again.

A document whose original file its collection did not keep cannot be indexed again: asked
alone, it is refused (409); in bulk, it is skipped (and not counted).

Each document goes back to `uploaded` and `document.reindex_requested` asks the search
service to index its current version; its events then move the status on (`status`).
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import DocumentReindexRequested
from sift.core.auth import Principal
from sift.documents.collections.service import collection_service
from sift.documents.documents.exceptions import ReindexWithoutOriginal
from sift.documents.documents.repository import document_repository
from sift.documents.documents.service import SERVER_COLUMNS, document_service
from sift.documents.documents.status import mark_queued
from sift.documents.events import events
from sift.documents.models import CollectionRole, Document

log = structlog.get_logger()

REINDEX_BATCH = 500


class DocumentReindexService:
    async def reindex(
        self, session: AsyncSession, principal: Principal, document_id: uuid.UUID
    ) -> Document:
        document = await document_service.get(
            session, principal, document_id, need=CollectionRole.editor, for_update=True
        )
        if document.current_version and document.current_version.original_dropped_at:
            raise ReindexWithoutOriginal()
        await self._request_reindex(session, principal, document)
        await session.flush()
        await session.refresh(document, attribute_names=SERVER_COLUMNS)
        return document

    async def reindex_collection(
        self, session: AsyncSession, principal: Principal, collection_id: uuid.UUID
    ) -> int:
        collection, _ = await collection_service.get(
            session, principal, collection_id, need=CollectionRole.manager
        )
        return await self._reindex_all(session, principal, collection.id)

    async def reindex_everything(self, session: AsyncSession, principal: Principal) -> int:
        """Every live document of the caller's organization (admins)."""
        return await self._reindex_all(session, principal, None)

    async def _reindex_all(
        self,
        session: AsyncSession,
        principal: Principal,
        collection_id: uuid.UUID | None,
    ) -> int:
        queued = 0
        after: uuid.UUID | None = None
        while batch := await document_repository.in_collections(
            session,
            org_id=principal.org_id,
            collection_id=collection_id,
            after=after,
            limit=REINDEX_BATCH,
        ):
            for document in batch:
                version = document.current_version
                if version is not None and version.original_dropped_at is not None:
                    continue  # its file is gone: it keeps the text it was indexed with
                await self._request_reindex(session, principal, document)
                queued += 1
            await session.flush()
            after = batch[-1].id
        log.info("document.reindex_requested", count=queued, collection_id=str(collection_id))
        return queued

    async def _request_reindex(
        self,
        session: AsyncSession,
        principal: Principal,
        document: Document,
    ) -> None:
        version = document.current_version
        if version is None:  # pragma: no cover - every live document has a version
            return
        mark_queued(document)
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


document_reindex_service = DocumentReindexService()
