"""Vector indexes: `pgvector` (default, in PostgreSQL) or `pinecone`, by configuration.

index = create_vector_index(get_search_settings())    # once per process
await index.upsert(records)                            # ingestion
if isinstance(index, VectorSearch):                    # retrieval: Pinecone answers
    hits = await index.query(org_id, vector, k=50, collection_ids=readable)
"""

from __future__ import annotations

from sift.search.config import SearchSettings, get_search_settings
from sift.search.vectors.base import (
    VectorFilters,
    VectorHit,
    VectorIndex,
    VectorRecord,
    VectorSearch,
    VectorStoreError,
    VectorStoreUnavailable,
)
from sift.search.vectors.pgvector import PgVectorIndex

__all__ = [
    "PgVectorIndex",
    "VectorFilters",
    "VectorHit",
    "VectorIndex",
    "VectorRecord",
    "VectorSearch",
    "VectorStoreError",
    "VectorStoreUnavailable",
    "create_vector_index",
    "default_vector_index",
]

_default_vectors: list[VectorIndex] = []


def create_vector_index(settings: SearchSettings) -> VectorIndex:
    """The configured index (`SIFT_SEARCH_VECTOR_BACKEND`); Pinecone needs its API key."""
    if settings.vector_backend == "pinecone":
        from sift.search.vectors.pinecone import PineconeVectorIndex

        return PineconeVectorIndex.from_settings(settings)
    return PgVectorIndex()


def default_vector_index() -> VectorIndex:
    """The process's configured vector index (made on first use)."""
    if not _default_vectors:
        _default_vectors.append(create_vector_index(get_search_settings()))
    return _default_vectors[0]
