"""Re-embedding after a model change, or after a new document title changed the chunks'
headers: indexed versions get new vectors from their stored chunks (no fetch, no
extraction, no chunking again). A version whose headers changed has no current model
(`embedding_model` NULL), so the same check finds it.

The model's name and vector size are stored with every version (`documents_index`) and
chunk. A scheduled check (`search.reembed_stale`) queues, in batches, the indexed versions
whose stored model differs from the configured one; each `search.ingest.reembed_version`
task embeds one version outside any transaction, then swaps the vectors in one transaction
that first checks the version's chunks are still the ones it embedded. Idempotent (a
version already on the model is left alone) and resumable (an interrupted version is still
stale, so the next check queues it again).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.search.access.repository import index_version_repository
from sift.search.ingestion.chunking import embedding_input
from sift.search.ingestion.embedding import PGVECTOR_DIMENSION, Embedder
from sift.search.ingestion.repository import ingestion_repository
from sift.search.models import Chunk, DocumentIndex, IndexedDocument, IndexStatus
from sift.search.vectors import VectorIndex, VectorRecord

log = structlog.get_logger()


@dataclass(frozen=True)
class Snapshot:
    """A version's chunks as read before embedding them: `texts` are what is embedded
    (each chunk's header, then its text)."""

    version_id: uuid.UUID
    chunk_ids: list[uuid.UUID]
    texts: list[str]
    contexts: list[str | None]


def _stale(model: str, dimension: int) -> ColumnElement[bool]:
    return or_(
        DocumentIndex.embedding_model.is_(None),
        DocumentIndex.embedding_model != model,
        DocumentIndex.embedding_dimension.is_(None),
        DocumentIndex.embedding_dimension != dimension,
    )


async def stale_versions(
    session: AsyncSession, *, model: str, dimension: int, limit: int
) -> list[uuid.UUID]:
    """Indexed versions whose vectors come from another model (or size), oldest first."""
    statement = (
        select(DocumentIndex.version_id)
        .where(DocumentIndex.status == IndexStatus.indexed.value, _stale(model, dimension))
        .order_by(DocumentIndex.finished_at, DocumentIndex.version_id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def snapshot(
    session: AsyncSession, version_id: uuid.UUID, embedder: Embedder
) -> Snapshot | None:
    """The version's chunks if it still needs the embedder's vectors, else None."""
    state = await ingestion_repository.get(session, version_id)
    if state is None or state.status != IndexStatus.indexed:
        return None
    if (state.embedding_model, state.embedding_dimension) == (embedder.name, embedder.dimension):
        return None
    chunks = await ingestion_repository.chunks_of(session, version_id)
    return Snapshot(
        version_id,
        [c.id for c in chunks],
        [embedding_input(c.context, c.text) for c in chunks],
        [c.context for c in chunks],
    )


def embed(snapshot: Snapshot, embedder: Embedder, batch: int) -> list[list[float]]:
    vectors: list[list[float]] = []
    for start in range(0, len(snapshot.texts), max(1, batch)):
        vectors.extend(embedder.embed(snapshot.texts[start : start + max(1, batch)]))
    return vectors


async def swap(
    session: AsyncSession,
    snapshot: Snapshot,
    vectors: list[list[float]],
    embedder: Embedder,
    index: VectorIndex,
) -> bool:
    """Writes the new vectors if the version is unchanged since the snapshot; True if so."""
    state = await ingestion_repository.get(session, snapshot.version_id, for_update=True)
    if state is None or state.status != IndexStatus.indexed:
        return False  # deleted, superseded or re-indexed meanwhile
    current = await session.execute(
        select(Chunk.id, Chunk.context)
        .where(Chunk.version_id == snapshot.version_id)
        .order_by(Chunk.ordinal)
    )
    if [tuple(row) for row in current] != list(
        zip(snapshot.chunk_ids, snapshot.contexts, strict=True)
    ):
        # Re-indexed meanwhile (that run embedded with the current model), or its headers
        # changed (a new title: the version is stale again and queued anew).
        return False
    in_postgres = embedder.dimension == PGVECTOR_DIMENSION
    if snapshot.chunk_ids:
        await session.execute(
            update(Chunk),
            [
                {
                    "id": chunk_id,
                    "embedding": vector if in_postgres else None,
                    "embedding_model": embedder.name,
                }
                for chunk_id, vector in zip(snapshot.chunk_ids, vectors, strict=True)
            ],
        )
    document = await session.get(IndexedDocument, state.document_id)
    await index.upsert(
        [
            VectorRecord(
                chunk_id=chunk_id,
                vector=vector,
                org_id=state.org_id,
                collection_id=state.collection_id,
                document_id=state.document_id,
                version_id=state.version_id,
                embedding_model=embedder.name,
                mime_type=(document.mime_type if document else None) or state.content_type,
                tags=list(document.tags) if document else [],
            )
            for chunk_id, vector in zip(snapshot.chunk_ids, vectors, strict=True)
        ]
    )
    previous = state.embedding_model
    state.embedding_model = embedder.name
    state.embedding_dimension = embedder.dimension
    await index_version_repository.bump(session, state.org_id)  # semantic results change
    log.info(
        "ingest.reembedded",
        version_id=str(state.version_id),
        chunks=len(snapshot.chunk_ids),
        previous_model=previous,
        model=embedder.name,
    )
    return True
