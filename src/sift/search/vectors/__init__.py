"""Vector indexes: `pgvector` (default, in PostgreSQL) or `pinecone`, by configuration.

index = create_vector_index(get_search_settings())    # once per process
await index.upsert(records)                            # ingestion
if isinstance(index, VectorSearch):                    # retrieval: Pinecone answers
    hits = await index.query(org_id, vector, k=50, collection_ids=readable)
"""

from __future__ import annotations

from sift.search.config import SearchSettings
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
]


def create_vector_index(settings: SearchSettings) -> VectorIndex:
    """The configured index (`SIFT_SEARCH_VECTOR_BACKEND`); Pinecone needs its API key."""
    if settings.vector_backend == "pinecone":
        from sift.search.vectors.pinecone import PineconeVectorIndex

        return PineconeVectorIndex.from_settings(settings)
    return PgVectorIndex()
