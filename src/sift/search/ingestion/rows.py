"""What one indexed version writes: its chunk rows (PostgreSQL) and its vector records (the
vector index), built from the pipeline's output."""

from __future__ import annotations

from typing import Any

from sift.search.ingestion.chunking import chunk_context
from sift.search.ingestion.pipeline import Processed
from sift.search.ingestion.repository import chunk_id
from sift.search.models import EMBEDDING_DIMENSION, DocumentIndex, IndexedDocument
from sift.search.vectors import VectorRecord


def vector_records(
    state: DocumentIndex,
    document: IndexedDocument | None,
    rows: list[dict[str, Any]],
    vectors: list[list[float]],
) -> list[VectorRecord]:
    """The vector index's records of the version's chunks (`rows` from `chunk_rows`)."""
    return [
        VectorRecord(
            chunk_id=row["id"],
            vector=vector,
            org_id=state.org_id,
            collection_id=state.collection_id,
            document_id=state.document_id,
            version_id=state.version_id,
            embedding_model=row["embedding_model"],
            mime_type=(document.mime_type if document else None) or state.content_type,
            tags=list(document.tags) if document else [],
        )
        for row, vector in zip(rows, vectors, strict=True)
    ]


def chunk_rows(
    state: DocumentIndex, processed: Processed, title: str | None
) -> list[dict[str, Any]]:
    """The `search.chunks` rows of the version, one per chunk the pipeline made."""
    analysis = processed.analysis
    return [
        {
            "id": chunk_id(state.version_id, draft.ordinal),
            "org_id": state.org_id,
            "collection_id": state.collection_id,
            "document_id": state.document_id,
            "version_id": state.version_id,
            "ordinal": draft.ordinal,
            "page": draft.page,
            "page_end": draft.page_end,
            "start_char": draft.start,
            "end_char": draft.end,
            "heading": draft.heading[:500] if draft.heading else None,
            "context": chunk_context(title, draft.heading),
            "text": draft.text,
            "token_count": draft.token_count,
            "language": analysis.language,
            "text_search_config": analysis.text_search_config,
            # The column is vector(384): another size lives only in Pinecone (ADR 0003).
            "embedding": vector if len(vector) == EMBEDDING_DIMENSION else None,
            "embedding_model": processed.embedding_model,
        }
        for draft, vector in zip(processed.chunks, processed.vectors, strict=True)
    ]
