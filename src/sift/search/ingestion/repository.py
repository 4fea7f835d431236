"""All SQL of ingestion: index state rows and the chunks of each version."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.search.ingestion.pages import PageDraft
from sift.search.models import (
    Chunk,
    CollectionAccess,
    DocumentIndex,
    IndexedDocument,
    IndexStatus,
    TextPage,
)

CHUNK_NAMESPACE = uuid.UUID("6f7c3f2e-5d1a-4c57-9a51-2d3e0b1c9f10")
INSERT_BATCH = 500


def chunk_id(version_id: uuid.UUID, ordinal: int) -> uuid.UUID:
    """Stable IDs: a re-run writes the same chunk under the same ID (and vector stores that
    upsert by ID converge too)."""
    return uuid.uuid5(CHUNK_NAMESPACE, f"{version_id}:{ordinal}")


def projected_title(document: IndexedDocument | None) -> str | None:
    """The document's title as `IngestionRepository.document_title` reads it."""
    if document is None or not document.title or document.title == str(document.document_id):
        return None
    return document.title


def page_rows(version_id: uuid.UUID, pages: Sequence[PageDraft]) -> list[dict[str, Any]]:
    return [
        {
            "version_id": version_id,
            "seq": page.seq,
            "page": page.page,
            "start_char": page.start,
            "end_char": page.end,
            "text": page.text,
        }
        for page in pages
    ]


@dataclass
class PendingWrites:
    """The chunk and page rows of a batch's indexed versions, written together by `write`:
    two DELETEs and one INSERT per table for the batch instead of each per version (the
    postings triggers run once per statement, the lexeme counts are updated once)."""

    chunks: dict[uuid.UUID, list[dict[str, Any]]] = field(default_factory=dict)
    pages: dict[uuid.UUID, list[dict[str, Any]]] = field(default_factory=dict)

    def add(
        self, version_id: uuid.UUID, chunks: list[dict[str, Any]], pages: Sequence[PageDraft]
    ) -> None:
        self.chunks[version_id] = chunks
        self.pages[version_id] = page_rows(version_id, pages)

    def drop(self, versions: Iterable[uuid.UUID]) -> None:
        """Versions superseded by a newer batch-mate: nothing of theirs is written."""
        for version_id in versions:
            self.chunks.pop(version_id, None)
            self.pages.pop(version_id, None)

    async def write(self, session: AsyncSession) -> None:
        versions = sorted(self.chunks)
        if not versions:
            return
        await session.execute(delete(TextPage).where(TextPage.version_id.in_(versions)))
        await session.execute(delete(Chunk).where(Chunk.version_id.in_(versions)))
        for model, rows in (
            (Chunk, [row for v in versions for row in self.chunks[v]]),
            (TextPage, [row for v in versions for row in self.pages[v]]),
        ):
            for offset in range(0, len(rows), INSERT_BATCH):
                await session.execute(insert(model).values(rows[offset : offset + INSERT_BATCH]))


class IngestionRepository:
    async def get(
        self, session: AsyncSession, version_id: uuid.UUID, *, for_update: bool = False
    ) -> DocumentIndex | None:
        statement = select(DocumentIndex).where(DocumentIndex.version_id == version_id)
        if for_update:
            statement = statement.with_for_update()
        return (await session.execute(statement)).scalar_one_or_none()

    async def queue(self, session: AsyncSession, values: dict[str, Any]) -> None:
        """Insert the version as queued, or put an existing one back in the queue."""
        reset = {
            "status": IndexStatus.queued.value,
            "storage_key": values["storage_key"],
            "content_type": values["content_type"],
            "attempts": 0,
            "claimed_by": None,
            "error_code": None,
            "error_message": None,
            "queued_at": values["queued_at"],
            "updated_at": func.now(),
        }
        if values.get("filename"):
            reset["filename"] = values["filename"]
        statement = pg_insert(DocumentIndex).values(
            status=IndexStatus.queued.value, attempts=0, **values
        )
        await session.execute(
            statement.on_conflict_do_update(index_elements=[DocumentIndex.version_id], set_=reset)
        )

    async def batch_candidates(
        self, session: AsyncSession, leader: uuid.UUID, *, limit: int
    ) -> list[DocumentIndex]:
        """Versions a task may index along with its own, locked: those its earlier delivery
        held (it died), then the oldest queued ones no other task is claiming right now."""
        held = select(DocumentIndex).where(
            DocumentIndex.claimed_by == leader,
            DocumentIndex.version_id != leader,
            DocumentIndex.status == IndexStatus.processing.value,
        )
        rows = list((await session.execute(held.with_for_update(skip_locked=True))).scalars())
        if len(rows) < limit:
            queued = (
                select(DocumentIndex)
                .where(
                    DocumentIndex.status == IndexStatus.queued.value,
                    DocumentIndex.version_id != leader,
                )
                .order_by(DocumentIndex.queued_at)
                .limit(limit - len(rows))
                .with_for_update(skip_locked=True)
            )
            rows += list((await session.execute(queued)).scalars())
        return rows[:limit]

    async def replace_chunks(
        self, session: AsyncSession, version_id: uuid.UUID, rows: Sequence[dict[str, Any]]
    ) -> None:
        """The version's chunks become exactly `rows` (in the caller's transaction)."""
        await self.delete_chunks(session, version_id)
        # One multi-row INSERT per batch (not executemany): the BM25 triggers on chunks run
        # once per statement and update the collection's statistics row once per batch.
        for offset in range(0, len(rows), INSERT_BATCH):
            await session.execute(insert(Chunk).values(list(rows[offset : offset + INSERT_BATCH])))

    async def delete_chunks(self, session: AsyncSession, version_id: uuid.UUID) -> int:
        """The version's chunks and stored text leave the index."""
        await session.execute(delete(TextPage).where(TextPage.version_id == version_id))
        result = await session.execute(delete(Chunk).where(Chunk.version_id == version_id))
        return int(getattr(result, "rowcount", 0) or 0)

    async def insert_pages(
        self, session: AsyncSession, version_id: uuid.UUID, pages: Sequence[PageDraft]
    ) -> None:
        """The version's stored text, after `replace_chunks` (which deleted the old one)."""
        rows = page_rows(version_id, pages)
        for offset in range(0, len(rows), INSERT_BATCH):
            await session.execute(insert(TextPage).values(rows[offset : offset + INSERT_BATCH]))

    async def newer_indexed(
        self, session: AsyncSession, document_id: uuid.UUID, announced_at: datetime
    ) -> bool:
        statement = select(DocumentIndex.version_id).where(
            DocumentIndex.document_id == document_id,
            DocumentIndex.announced_at > announced_at,
            DocumentIndex.status == IndexStatus.indexed.value,
        )
        return (await session.execute(statement.limit(1))).first() is not None

    async def supersede_older(
        self,
        session: AsyncSession,
        document_id: uuid.UUID,
        announced_at: datetime,
        pending: PendingWrites | None = None,
    ) -> list[uuid.UUID]:
        """Older versions of the document leave the index (their rows stay, superseded), and
        their chunks in `pending` (batch-mates) are not written."""
        older = (
            update(DocumentIndex)
            .where(
                DocumentIndex.document_id == document_id,
                DocumentIndex.announced_at < announced_at,
                DocumentIndex.status != IndexStatus.superseded.value,
            )
            .values(status=IndexStatus.superseded.value, updated_at=func.now())
            .returning(DocumentIndex.version_id)
        )
        versions = list((await session.execute(older)).scalars())
        if pending is not None:
            pending.drop(versions)
        if versions:
            await session.execute(delete(TextPage).where(TextPage.version_id.in_(versions)))
            await session.execute(delete(Chunk).where(Chunk.version_id.in_(versions)))
        return versions

    async def delete_document(self, session: AsyncSession, document_id: uuid.UUID) -> int:
        """Every version's state and chunks (chunks go by the foreign key's cascade)."""
        await session.execute(delete(Chunk).where(Chunk.document_id == document_id))
        result = await session.execute(
            delete(DocumentIndex).where(DocumentIndex.document_id == document_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def job_context(
        self, session: AsyncSession, state: DocumentIndex
    ) -> tuple[str | None, bool]:
        """The version's document title (as `document_title` reads it) and whether its
        collection redacts PII, in one round trip: every version a batch claims needs both."""
        document_id = state.document_id
        title = select(IndexedDocument.title).where(IndexedDocument.document_id == document_id)
        redact = select(CollectionAccess.redact_pii).where(
            CollectionAccess.collection_id == state.collection_id
        )
        statement = select(title.scalar_subquery(), redact.scalar_subquery())
        found, redacts = (await session.execute(statement)).one()
        return (None if not found or found == str(document_id) else found), bool(redacts)

    async def document_title(self, session: AsyncSession, document_id: uuid.UUID) -> str | None:
        """The title the access projection holds (None: unknown, or only the document's ID)."""
        statement = select(IndexedDocument.title).where(IndexedDocument.document_id == document_id)
        title = await session.scalar(statement)
        return None if not title or title == str(document_id) else title

    async def set_contexts(
        self,
        session: AsyncSession,
        document_id: uuid.UUID,
        context_of: Callable[[str | None], str | None],
    ) -> list[uuid.UUID]:
        """Gives the document's chunks the header `context_of(heading)`; the versions changed."""
        statement = select(Chunk.id, Chunk.version_id, Chunk.heading, Chunk.context).where(
            Chunk.document_id == document_id
        )
        changes: list[dict[str, Any]] = []
        versions: set[uuid.UUID] = set()
        for row in await session.execute(statement):
            context = context_of(row.heading)
            if context != row.context:
                changes.append({"id": row.id, "context": context})
                versions.add(row.version_id)
        if changes:
            await session.execute(update(Chunk), changes)
        return sorted(versions)

    async def mark_for_reembedding(
        self, session: AsyncSession, versions: Sequence[uuid.UUID]
    ) -> None:
        """No model's vectors are current for them: `search.reembed_stale` queues them."""
        await session.execute(
            update(DocumentIndex)
            .where(
                DocumentIndex.version_id.in_(versions),
                DocumentIndex.status == IndexStatus.indexed.value,
            )
            .values(embedding_model=None, updated_at=func.now())
        )

    async def chunks_of(self, session: AsyncSession, version_id: uuid.UUID) -> list[Chunk]:
        statement = select(Chunk).where(Chunk.version_id == version_id).order_by(Chunk.ordinal)
        return list((await session.execute(statement)).scalars())


ingestion_repository = IngestionRepository()
