"""Pinecone through its Python SDK: one namespace per organization, filterable metadata.

Each vector's ID is its chunk's ID (stable across re-runs, so upserts converge) and its
metadata carries `collection_id`, `document_id`, `version_id`, `embedding_model`,
`mime_type` and `tags`. A query always filters `collection_id $in <readable collections>`
inside Pinecone, so permission filtering happens before ranking and a caller never gets
a neighbour it may not read. The SDK blocks, so each call runs in a worker thread.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
import httpx
import structlog

from sift.search.config import SearchSettings
from sift.search.vectors.base import (
    VectorFilters,
    VectorHit,
    VectorRecord,
    VectorStoreError,
    VectorStoreUnavailable,
)

if TYPE_CHECKING:
    from pinecone import Pinecone
    from pinecone.index import Index

log = structlog.get_logger()

T = TypeVar("T")

QUERY_TOP_K_MAX = 10_000  # Pinecone's cap on top_k


def namespace(org_id: uuid.UUID) -> str:
    return f"org-{org_id}"


def metadata(record: VectorRecord) -> dict[str, Any]:
    # Pinecone refuses null metadata values: absent fields are left out.
    values: dict[str, Any] = {
        "collection_id": str(record.collection_id),
        "document_id": str(record.document_id),
        "version_id": str(record.version_id),
        "embedding_model": record.embedding_model,
        "tags": list(record.tags),
    }
    if record.mime_type:
        values["mime_type"] = record.mime_type
    return values


def query_filter(
    collection_ids: Sequence[uuid.UUID], filters: VectorFilters | None = None
) -> dict[str, Any]:
    """The metadata filter of a query: readable collections, then the caller's filters."""
    clauses: list[dict[str, Any]] = [
        {"collection_id": {"$in": sorted(str(c) for c in collection_ids)}}
    ]
    filters = filters or VectorFilters()
    if filters.document_ids:
        clauses.append({"document_id": {"$in": sorted(str(d) for d in filters.document_ids)}})
    if filters.tags:
        clauses.append({"tags": {"$in": sorted(set(filters.tags))}})
    if filters.mime_types:
        clauses.append({"mime_type": {"$in": sorted(set(filters.mime_types))}})
    if filters.embedding_model:
        clauses.append({"embedding_model": {"$eq": filters.embedding_model}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class PineconeVectorIndex:
    backend = "pinecone"

    def __init__(
        self,
        client: Pinecone,
        *,
        index_name: str,
        index_host: str | None = None,
        upsert_batch: int = 100,
    ) -> None:
        self.client = client
        self.index_name = index_name
        self.index_host = index_host
        self.upsert_batch = max(1, upsert_batch)
        self.dimension: int | None = None  # known once the index was described
        self._index: Index | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: SearchSettings) -> PineconeVectorIndex:
        from pinecone import Pinecone

        if settings.pinecone_api_key is None:
            raise VectorStoreError(
                "SIFT_SEARCH_VECTOR_BACKEND=pinecone needs SIFT_SEARCH_PINECONE_API_KEY."
            )
        client = Pinecone(
            api_key=settings.pinecone_api_key.get_secret_value(),
            # None: PINECONE_CONTROLLER_HOST, then the public API.
            host=settings.pinecone_controller_host or None,
            timeout=settings.pinecone_timeout_seconds,
            source_tag="sift",
        )
        return cls(
            client,
            index_name=settings.pinecone_index_name,
            index_host=settings.pinecone_index_host or None,
            upsert_batch=settings.pinecone_upsert_batch,
        )

    def index(self) -> Index:
        """The data-plane client, its host looked up by name once (unless configured)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    host = self.index_host
                    if not host:
                        description = self.client.describe_index(self.index_name)
                        self.dimension = description.dimension
                        host = description.host
                        if not host:
                            raise VectorStoreUnavailable(
                                f"Pinecone index {self.index_name!r} has no host yet"
                            )
                    self._index = self.client.index(host=host)
                    log.info("pinecone.connected", index=self.index_name, host=host)
        return self._index

    async def _call(self, what: str, function: Callable[[], T]) -> T:
        from pinecone.errors.exceptions import (
            ApiError,
            PineconeConnectionError,
            PineconeTimeoutError,
            RateLimitError,
            ServiceError,
        )

        try:
            return await anyio.to_thread.run_sync(function)
        except (
            PineconeConnectionError,
            PineconeTimeoutError,
            RateLimitError,
            ServiceError,
            httpx.TransportError,
        ) as exc:
            log.warning("pinecone.unavailable", operation=what, error=str(exc)[:300])
            raise VectorStoreUnavailable(f"Pinecone could not be reached ({what}): {exc}") from exc
        except ApiError as exc:
            raise VectorStoreError(f"Pinecone refused {what}: {exc}") from exc

    def _check_dimension(self, size: int) -> None:
        if self.dimension is not None and size != self.dimension:
            raise VectorStoreError(
                f"vectors of {size} dimensions do not fit Pinecone index {self.index_name!r}"
                f" ({self.dimension} dimensions)"
            )

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        by_org: dict[uuid.UUID, list[VectorRecord]] = {}
        for record in records:
            by_org.setdefault(record.org_id, []).append(record)
        for org_id, group in by_org.items():
            for start in range(0, len(group), self.upsert_batch):
                batch = group[start : start + self.upsert_batch]
                await self._call("upsert", functools.partial(self._upsert, org_id, batch))

    def _upsert(self, org_id: uuid.UUID, batch: Sequence[VectorRecord]) -> None:
        index = self.index()
        for record in batch:
            self._check_dimension(len(record.vector))
        index.upsert(
            vectors=[
                {"id": str(r.chunk_id), "values": list(r.vector), "metadata": metadata(r)}
                for r in batch
            ],
            namespace=namespace(org_id),
            show_progress=False,
        )

    async def _delete(self, org_id: uuid.UUID, what: str, **selector: Any) -> None:
        from pinecone.errors.exceptions import NotFoundError

        def delete() -> None:
            # An unknown namespace (never written, or gone) has nothing to delete.
            with contextlib.suppress(NotFoundError):
                self.index().delete(namespace=namespace(org_id), **selector)

        await self._call(what, delete)

    async def delete_version(self, org_id: uuid.UUID, version_id: uuid.UUID) -> None:
        await self._delete(
            org_id, "delete_version", filter={"version_id": {"$eq": str(version_id)}}
        )

    async def delete_document(self, org_id: uuid.UUID, document_id: uuid.UUID) -> None:
        await self._delete(
            org_id, "delete_document", filter={"document_id": {"$eq": str(document_id)}}
        )

    async def delete_organization(self, org_id: uuid.UUID) -> None:
        await self._delete(org_id, "delete_organization", delete_all=True)

    async def update_document(
        self,
        org_id: uuid.UUID,
        document_id: uuid.UUID,
        *,
        collection_id: uuid.UUID,
        tags: Sequence[str],
    ) -> None:
        from pinecone.errors.exceptions import NotFoundError

        def update() -> None:
            with contextlib.suppress(NotFoundError):
                self.index().update(
                    filter={"document_id": {"$eq": str(document_id)}},
                    set_metadata={"collection_id": str(collection_id), "tags": list(tags)},
                    namespace=namespace(org_id),
                )

        await self._call("update_document", update)

    async def query(
        self,
        org_id: uuid.UUID,
        vector: Sequence[float],
        *,
        k: int,
        collection_ids: Sequence[uuid.UUID],
        filters: VectorFilters | None = None,
    ) -> list[VectorHit]:
        """The `k` nearest chunks among `collection_ids` of the organization, best first.

        `collection_ids` are the collections the caller may read: the filter runs inside
        Pinecone, so the `k` hits are all readable. Scores are cosine similarities.
        """
        if not collection_ids or k <= 0:
            return []
        selector = query_filter(collection_ids, filters)

        def run() -> list[VectorHit]:
            self._check_dimension(len(vector))
            response = self.index().query(
                vector=list(vector),
                top_k=min(k, QUERY_TOP_K_MAX),
                namespace=namespace(org_id),
                filter=selector,
                include_metadata=False,
                include_values=False,
            )
            return [
                VectorHit(score=float(match.score), chunk_id=uuid.UUID(match.id))
                for match in response.matches
            ]

        from pinecone.errors.exceptions import NotFoundError

        try:
            return await self._call("query", run)
        except VectorStoreError as exc:
            if isinstance(exc.__cause__, NotFoundError):
                return []  # nothing of this organization was indexed yet
            raise

    async def aclose(self) -> None:
        index, self._index = self._index, None
        if index is not None:
            await anyio.to_thread.run_sync(index.close)
        await anyio.to_thread.run_sync(self.client.close)
