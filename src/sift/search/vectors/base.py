"""The vector index behind semantic search: one interface, chosen by configuration.

`pgvector` (the default) keeps vectors in `search.chunks.embedding`, written with the chunks
in the same transaction, so its writes here do nothing and its k-NN query is SQL in
`sift.search.retrieval.repository.vectors`. `pinecone` keeps them in a Pinecone index (one namespace
per organization) and answers `query` itself, permission filter included.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from sift.core.tasks import TransientError


class VectorStoreUnavailable(TransientError):
    """The vector index could not be reached or refused for now (network, 429, 5xx): worth
    retrying; tasks are retried with backoff by the Celery policy."""


class VectorStoreError(RuntimeError):
    """The vector index refused the request for good (bad key, wrong dimension, ...)."""


@dataclass(frozen=True)
class VectorRecord:
    """One chunk's vector and what a query may filter it by."""

    chunk_id: uuid.UUID
    vector: Sequence[float]
    org_id: uuid.UUID
    collection_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    embedding_model: str
    mime_type: str | None = None
    tags: Sequence[str] = ()


@dataclass(frozen=True)
class VectorFilters:
    """Narrowing beyond the readable collections; an empty field does not filter."""

    document_ids: Sequence[uuid.UUID] = ()
    tags: Sequence[str] = ()  # any of them
    mime_types: Sequence[str] = ()
    # Vectors of another model live in another space: a query names the model it embedded
    # with, so that during a re-embedding old vectors never match new queries.
    embedding_model: str | None = None


@dataclass(frozen=True, order=True)
class VectorHit:
    score: float  # cosine similarity, higher is closer
    chunk_id: uuid.UUID = field(compare=False)


@runtime_checkable
class VectorIndex(Protocol):
    """Writes, called by ingestion once the chunks are in (or out of) PostgreSQL."""

    backend: str

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        """Adds or replaces the records (by chunk ID: re-running converges)."""

    async def delete_version(self, org_id: uuid.UUID, version_id: uuid.UUID) -> None:
        """Every vector of one document version."""

    async def delete_document(self, org_id: uuid.UUID, document_id: uuid.UUID) -> None:
        """Every vector of every version of a document."""

    async def update_document(
        self,
        org_id: uuid.UUID,
        document_id: uuid.UUID,
        *,
        collection_id: uuid.UUID,
        tags: Sequence[str],
    ) -> None:
        """Refreshes the filterable metadata of a document's vectors (moved, retagged)."""

    async def delete_organization(self, org_id: uuid.UUID) -> None:
        """Every vector of an organization (erasure)."""

    async def aclose(self) -> None: ...


@runtime_checkable
class VectorSearch(Protocol):
    """A vector index that answers k-NN queries itself (Pinecone; pgvector's is SQL)."""

    async def query(
        self,
        org_id: uuid.UUID,
        vector: Sequence[float],
        *,
        k: int,
        collection_ids: Sequence[uuid.UUID],
        filters: VectorFilters | None = None,
    ) -> list[VectorHit]:
        """The `k` chunks nearest to `vector` among the organization's chunks in
        `collection_ids` (the caller's readable collections: none, no hits), best first."""
