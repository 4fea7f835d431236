"""Semantic candidates: the query embedded by the index's own model, k-NN over pgvector HNSW.

The scope's conditions sit in the same WHERE as the distance ordering. With pgvector 0.8's
iterative index scans, a selective filter (one organization, a few collections) makes the
scan continue past the first `ef_search` neighbours until `k` rows pass it, instead of
returning fewer rows than asked.
"""

from __future__ import annotations

import array
import asyncio
import hashlib
from dataclasses import dataclass

import structlog
from pgvector.sqlalchemy import Vector
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import Integer, String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.config import CoreSettings
from sift.search.ingestion.embedding import Embedder
from sift.search.retrieval.bm25 import Candidate
from sift.search.retrieval.scope import Scope

log = structlog.get_logger()


@dataclass(frozen=True)
class HnswOptions:
    ef_search: int = 200
    iterative_scan: str = "relaxed_order"
    max_scan_tuples: int = 20_000


_NEAREST = """
WITH nearest AS MATERIALIZED (
    SELECT c.id, c.embedding <=> :vector AS distance
    FROM search.chunks c{join}
    WHERE {where} AND c.embedding_model = :model
    ORDER BY c.embedding <=> :vector
    LIMIT :k
)
SELECT id AS chunk_id, 1 - distance AS score FROM nearest ORDER BY distance, id
"""


async def semantic_candidates(
    session: AsyncSession,
    vector: list[float],
    scope: Scope,
    k: int,
    *,
    model: str,
    options: HnswOptions | None = None,
) -> list[Candidate]:
    """The `k` chunks of the scope nearest to `vector` (cosine similarity), best first.

    Only chunks embedded by `model` qualify: vectors of another model live in another space.
    """
    if scope.empty or k <= 0:
        return []
    options = options or HnswOptions()
    # Transaction-local, so pooled connections keep their defaults.
    await session.execute(
        text(
            "SELECT set_config('hnsw.ef_search', :ef, true),"
            " set_config('hnsw.iterative_scan', :scan, true),"
            " set_config('hnsw.max_scan_tuples', :tuples, true)"
        ).bindparams(
            ef=str(max(options.ef_search, min(k, 1000))),
            scan=options.iterative_scan,
            tuples=str(options.max_scan_tuples),
        )
    )
    statement = text(
        _NEAREST.format(join=scope.documents_join(), where=scope.conditions())
    ).bindparams(
        *scope.parameters(),
        bindparam("vector", vector, type_=Vector(len(vector))),
        bindparam("model", model, type_=String()),
        bindparam("k", k, type_=Integer()),
    )
    rows = await session.execute(statement)
    # relaxed_order may return neighbours slightly out of order: the outer ORDER BY sorts.
    return [(row.chunk_id, float(row.score)) for row in rows]


class QueryEmbeddings:
    """Query vectors by model and text, cached in Redis (a hit skips the model entirely)."""

    def __init__(
        self, embedder: Embedder, redis: Redis, settings: CoreSettings, *, ttl_seconds: int
    ) -> None:
        self.embedder = embedder
        self.redis = redis
        self.settings = settings
        self.ttl_seconds = ttl_seconds

    def _key(self, query: str) -> str:
        digest = hashlib.sha256(f"{self.embedder.name}\0{query}".encode()).hexdigest()
        return self.settings.redis_key("search", "query-embedding", digest)

    async def embed(self, query: str) -> list[float]:
        key = self._key(query)
        if self.ttl_seconds:
            try:
                cached = await self.redis.get(key)
            except RedisError as exc:  # the cache is an optimisation only
                log.warning("search.embedding_cache_unavailable", error=str(exc))
                cached = None
            if cached and len(cached) == 4 * self.embedder.dimension:
                return [float(value) for value in array.array("f", cached)]
        # CPU-bound: off the event loop.
        [vector] = await asyncio.to_thread(self.embedder.embed, [query])
        if self.ttl_seconds:
            try:
                await self.redis.set(key, array.array("f", vector).tobytes(), ex=self.ttl_seconds)
            except RedisError as exc:
                log.warning("search.embedding_cache_unavailable", error=str(exc))
        return vector
