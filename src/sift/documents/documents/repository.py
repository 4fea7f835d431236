"""SQL of documents and their versions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.base import ExecutableOption

from sift.core.auth import Principal
from sift.core.db import ReadSession
from sift.documents.collections.repository import collection_repository
from sift.documents.models import Collection, Document, DocumentVersion

WITH_CURRENT_VERSION: Sequence[ExecutableOption] = (joinedload(Document.current_version),)


class DocumentRepository:
    def base(self, *options: ExecutableOption) -> Select[Document]:
        """Live documents (not deleted)."""
        return select(Document).where(Document.deleted_at.is_(None)).options(*options)

    def readable(self, principal: Principal, *options: ExecutableOption) -> Select[Document]:
        """The live documents of the collections `principal` may read."""
        return (
            self.base(*options)
            .join(Collection, Collection.id == Document.collection_id)
            .where(*collection_repository.readable_condition(principal))  # type: ignore[arg-type]
        )

    async def get_readable(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: uuid.UUID,
        *,
        options: Sequence[ExecutableOption] = WITH_CURRENT_VERSION,
        for_update: bool = False,
    ) -> Document | None:
        query = self.readable(principal, *options).where(Document.id == document_id)
        if for_update:
            query = query.with_for_update(of=Document)
        return await session.scalar(query)

    async def get_live(
        self, session: AsyncSession, document_id: uuid.UUID, *, for_update: bool = False
    ) -> Document | None:
        """For event handlers: no principal, the document as it is."""
        query = self.base().where(Document.id == document_id)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def page(
        self,
        session: ReadSession,
        principal: Principal,
        *,
        collection_id: uuid.UUID | None,
        status: str | None,
        tag: str | None,
        title_contains: str | None,
        before: uuid.UUID | None,
        limit: int,
    ) -> list[Document]:
        """Newest first (IDs are time-ordered)."""
        query = self.readable(principal, *WITH_CURRENT_VERSION)
        if collection_id is not None:
            query = query.where(Document.collection_id == collection_id)
        if status is not None:
            query = query.where(Document.status == status)
        if tag is not None:
            query = query.where(Document.tags.contains([tag]))
        if title_contains:
            pattern = "%" + _escape_like(title_contains) + "%"
            query = query.where(Document.title.ilike(pattern, escape="\\"))
        if before is not None:
            query = query.where(Document.id < before)
        query = query.order_by(Document.id.desc()).limit(limit)
        return list((await session.scalars(query)).unique())

    async def find_by_sha256(
        self, session: AsyncSession, collection_id: uuid.UUID, sha256: str
    ) -> Document | None:
        query = self.base().where(
            Document.collection_id == collection_id, Document.sha256 == sha256
        )
        return await session.scalar(query)

    async def in_collections(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        collection_id: uuid.UUID | None,
        after: uuid.UUID | None,
        limit: int,
    ) -> list[Document]:
        """A batch of live documents (with their current version) in ID order, for bulk work."""
        query = self.base(*WITH_CURRENT_VERSION).where(Document.org_id == org_id)
        if collection_id is not None:
            query = query.where(Document.collection_id == collection_id)
        if after is not None:
            query = query.where(Document.id > after)
        query = query.order_by(Document.id).limit(limit).with_for_update(of=Document)
        return list((await session.scalars(query)).unique())

    async def get_deleted(self, session: AsyncSession, document_id: uuid.UUID) -> Document | None:
        query = (
            select(Document)
            .where(Document.id == document_id, Document.deleted_at.is_not(None))
            .with_for_update(skip_locked=True)
        )
        return await session.scalar(query)

    async def deleted_ids(self, session: ReadSession, *, limit: int) -> list[uuid.UUID]:
        query = (
            select(Document.id)
            .where(Document.deleted_at.is_not(None))
            .order_by(Document.deleted_at)
            .limit(limit)
        )
        return list(await session.scalars(query))


class VersionRepository:
    def base(self) -> Select[DocumentVersion]:
        return select(DocumentVersion)

    async def of_document(
        self, session: AsyncSession, document_id: uuid.UUID
    ) -> list[DocumentVersion]:
        """Newest first."""
        query = (
            self.base()
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.number.desc())
        )
        return list(await session.scalars(query))

    async def get(
        self, session: AsyncSession, document_id: uuid.UUID, version_id: uuid.UUID
    ) -> DocumentVersion | None:
        query = self.base().where(
            DocumentVersion.document_id == document_id, DocumentVersion.id == version_id
        )
        return await session.scalar(query)

    async def last_number(self, session: AsyncSession, document_id: uuid.UUID) -> int:
        query = select(func.max(DocumentVersion.number)).where(
            DocumentVersion.document_id == document_id
        )
        return int(await session.scalar(query) or 0)

    async def known_storage_keys(self, session: ReadSession, keys: Sequence[str]) -> set[str]:
        """Those of `keys` that some version's blob is stored under."""
        query = select(DocumentVersion.storage_key).where(DocumentVersion.storage_key.in_(keys))
        return set(await session.scalars(query))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


document_repository = DocumentRepository()
version_repository = VersionRepository()
