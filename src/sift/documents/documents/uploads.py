"""Uploads: a first version (a new document) or a next one, streamed to storage.

The bytes stream from the request to storage, their type sniffed and their SHA-256 computed on
the way; the rows and `document.uploaded` follow in the request's transaction. Every version is
stored under its own key and announced with `document.uploaded` (its `version_id` says which),
so that search indexes each new version like a first upload.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Protocol

import anyio
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import DocumentUploaded, DocumentVersionCreated
from sift.core.auth import Principal
from sift.core.db import new_id
from sift.core.storage import Storage, StoredObject
from sift.documents.collections.service import collection_service
from sift.documents.documents.exceptions import DuplicateDocument
from sift.documents.documents.filenames import sanitize_filename
from sift.documents.documents.repository import document_repository, version_repository
from sift.documents.documents.service import SERVER_COLUMNS, document_service
from sift.documents.documents.sniffing import SniffedType, Sniffer, is_markdown_name
from sift.documents.documents.status import mark_queued
from sift.documents.events import events
from sift.documents.models import (
    TITLE_LENGTH,
    CollectionRole,
    Document,
    DocumentStatus,
    DocumentVersion,
)

log = structlog.get_logger()

UPLOAD_CHUNK = 256 * 1024


class Upload(Protocol):
    """What an upload offers (FastAPI's `UploadFile`): a name and its bytes, in chunks."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


def storage_key(org_id: uuid.UUID, document_id: uuid.UUID, version_id: uuid.UUID) -> str:
    return f"documents/{org_id}/{document_id}/{version_id}"


async def store_upload(
    storage: Storage, key: str, file: Upload, filename: str, max_size: int
) -> tuple[StoredObject, SniffedType]:
    """Streams `file` to `key`, sniffing its type; a refused type leaves nothing stored."""
    sniffer = Sniffer(markdown_name=is_markdown_name(filename))

    async def chunks() -> AsyncIterator[bytes]:
        while chunk := await file.read(UPLOAD_CHUNK):
            sniffer.feed(chunk)
            yield chunk
        sniffer.finish()  # a refused type raises here, before the object is kept

    stored = await storage.put(key, chunks(), max_size=max_size)
    return stored, sniffer.finish()


async def forget_blob(storage: Storage, key: str) -> None:
    """Removes a blob whose rows were never written (shielded: also on cancellation)."""
    with anyio.CancelScope(shield=True):
        try:
            await storage.delete(key)
        except Exception:
            log.exception("document.blob_cleanup_failed", key=key)


class DocumentUploadService:
    async def upload(
        self,
        session: AsyncSession,
        storage: Storage,
        principal: Principal,
        *,
        collection_id: uuid.UUID,
        file: Upload,
        title: str | None,
        tags: list[str],
        max_size: int,
    ) -> Document:
        collection, _ = await collection_service.get(
            session, principal, collection_id, need=CollectionRole.editor
        )
        filename = sanitize_filename(file.filename)
        document_id, version_id = new_id(), new_id()
        key = storage_key(principal.org_id, document_id, version_id)
        stored, sniffed = await store_upload(storage, key, file, filename, max_size)
        try:
            # Again, locked: the collection may have gone, or the grant, while the file streamed.
            collection, _ = await collection_service.get(
                session, principal, collection_id, need=CollectionRole.editor, for_share=True
            )
            duplicate = await document_repository.find_by_sha256(
                session, collection.id, stored.sha256
            )
            if duplicate is not None:
                raise DuplicateDocument(duplicate.id)
            document = Document(
                id=document_id,
                org_id=principal.org_id,
                collection_id=collection.id,
                title=(title or filename)[:TITLE_LENGTH],
                sha256=stored.sha256,
                status=DocumentStatus.uploaded,
                tags=tags,
                steps=[],
                created_by=principal.user_id,
            )
            version = self._version(document, version_id, 1, stored, sniffed, filename, principal)
            document.current_version = version
            await self._flush_unique(session, collection.id, stored.sha256, document, version)
            await self._announce(session, principal, document, version)
        except BaseException:
            await forget_blob(storage, key)
            raise
        log.info(
            "document.uploaded",
            document_id=str(document.id),
            size=stored.size,
            mime_type=sniffed.mime_type,
        )
        return document

    async def add_version(
        self,
        session: AsyncSession,
        storage: Storage,
        principal: Principal,
        document_id: uuid.UUID,
        *,
        file: Upload,
        max_size: int,
    ) -> tuple[Document, DocumentVersion]:
        document = await document_service.get(
            session, principal, document_id, need=CollectionRole.editor, for_update=True
        )
        filename = sanitize_filename(file.filename)
        version_id = new_id()
        key = storage_key(document.org_id, document.id, version_id)
        stored, sniffed = await store_upload(storage, key, file, filename, max_size)
        try:
            duplicate = await document_repository.find_by_sha256(
                session, document.collection_id, stored.sha256
            )
            if duplicate is not None:
                raise DuplicateDocument(duplicate.id)
            number = await version_repository.last_number(session, document.id) + 1
            version = self._version(
                document, version_id, number, stored, sniffed, filename, principal
            )
            document.current_version = version
            document.sha256 = stored.sha256
            mark_queued(document)
            await self._flush_unique(
                session, document.collection_id, stored.sha256, document, version
            )
            await self._announce(session, principal, document, version)
        except BaseException:
            await forget_blob(storage, key)
            raise
        log.info("document.version_added", document_id=str(document.id), number=number)
        return document, version

    @staticmethod
    def _version(
        document: Document,
        version_id: uuid.UUID,
        number: int,
        stored: StoredObject,
        sniffed: SniffedType,
        filename: str,
        principal: Principal,
    ) -> DocumentVersion:
        return DocumentVersion(
            id=version_id,
            document_id=document.id,
            number=number,
            storage_key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
            mime_type=sniffed.mime_type,
            charset=sniffed.charset,
            filename=filename,
            created_by=principal.user_id,
        )

    @staticmethod
    async def _flush_unique(
        session: AsyncSession,
        collection_id: uuid.UUID,
        sha256: str,
        document: Document,
        version: DocumentVersion,
    ) -> None:
        # The unique index settles a race between two uploads of the same bytes.
        try:
            async with session.begin_nested():
                session.add_all([document, version])
                await session.flush()
        except IntegrityError:
            duplicate = await document_repository.find_by_sha256(session, collection_id, sha256)
            if duplicate is None:
                raise
            raise DuplicateDocument(duplicate.id) from None
        await session.refresh(document, attribute_names=SERVER_COLUMNS)

    @staticmethod
    async def _announce(
        session: AsyncSession, principal: Principal, document: Document, version: DocumentVersion
    ) -> None:
        """`document.uploaded` for a first version, `document.version_created` after it."""
        payload_type = DocumentUploaded if version.number == 1 else DocumentVersionCreated
        await events.publish(
            session,
            payload_type(
                document_id=document.id,
                version_id=version.id,
                collection_id=document.collection_id,
                filename=version.filename,
                content_type=version.mime_type,
                size_bytes=version.size,
                sha256=version.sha256,
                storage_key=version.storage_key,
                title=document.title,
                tags=list(document.tags),
                language=document.language_override,
            ),
            org_id=document.org_id,
            actor_id=principal.user_id,
            subject_id=document.id,
        )


document_upload_service = DocumentUploadService()
