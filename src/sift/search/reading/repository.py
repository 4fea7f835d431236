"""SQL of reading a document's text: its current version, if readable, and its pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Uuid, bindparam, func, select, text

from sift.core.db import ReadSession
from sift.search.models import Chunk, IndexStatus, TextPage
from sift.search.retrieval.scope import Scope


@dataclass(frozen=True)
class ChunkPlace:
    page: int | None
    start: int
    text: str


@dataclass(frozen=True)
class Version:
    version_id: uuid.UUID
    page_count: int | None  # pages of the file, for paged formats


class ReadingRepository:
    async def readable_version(
        self, session: ReadSession, scope: Scope, document_id: uuid.UUID
    ) -> Version | None:
        """The document's indexed version, when a chunk of it is in the caller's scope."""
        if scope.empty:
            return None
        statement = text(
            "SELECT v.version_id, v.page_count FROM search.documents_index v"  # noqa: S608 - fixed fragments only  # nosec B608
            " WHERE v.document_id = :document_id AND v.status = :indexed AND EXISTS ("
            f"   SELECT 1 FROM search.chunks c{scope.documents_join()}"
            f"   WHERE c.version_id = v.version_id AND {scope.conditions()})"
            " ORDER BY v.announced_at DESC LIMIT 1"
        ).bindparams(
            *scope.parameters(),
            bindparam("document_id", document_id, type_=Uuid()),
            bindparam("indexed", IndexStatus.indexed.value),
        )
        row = (await session.execute(statement)).first()
        return Version(row.version_id, row.page_count) if row else None

    async def page_count(self, session: ReadSession, version_id: uuid.UUID) -> int:
        statement = select(func.count()).where(TextPage.version_id == version_id)
        return int(await session.scalar(statement) or 0)

    async def pages(
        self, session: ReadSession, version_id: uuid.UUID, *, first: int, limit: int
    ) -> list[TextPage]:
        """Stored pages numbered `first` or later (the file's page number, else the piece's)."""
        number = func.coalesce(TextPage.page, TextPage.seq)
        statement = (
            select(TextPage)
            .where(TextPage.version_id == version_id, number >= first)
            .order_by(TextPage.seq)
            .limit(limit)
        )
        return list((await session.scalars(statement)).all())

    async def chunks(self, session: ReadSession, version_id: uuid.UUID) -> list[ChunkPlace]:
        statement = (
            select(Chunk.page, Chunk.start_char, Chunk.text)
            .where(Chunk.version_id == version_id)
            .order_by(Chunk.ordinal)
        )
        return [ChunkPlace(*row) for row in await session.execute(statement)]


reading_repository = ReadingRepository()
