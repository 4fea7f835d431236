"""Semantic candidates: the query embedded by the index's own model, k-NN over pgvector HNSW.

The scope's conditions sit in the same WHERE as the distance ordering. With pgvector 0.8's
iterative index scans, a selective filter (one organization, a few collections) makes the
scan continue past the first `ef_search` neighbours until `k` rows pass it, instead of
returning fewer rows than asked.
"""

from __future__ import annotations

import array
import asyncio
import base64
import hashlib
from dataclasses import dataclass

from pgvector.sqlalchemy import Vector
from redis.asyncio import Redis
from sqlalchemy import Integer, String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.cache import Cache
from sift.core.config import CoreSettings
from sift.search.ingestion.embedding import Embedder
from sift.search.retrieval.bm25 import Candidate
from sift.search.retrieval.scope import Scope


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
    """Query vectors by model and text, cached (a hit skips the model entirely).

    Cached as base64 of float32s: a quarter of the size of the same vector in JSON.
    """

    def __init__(
        self, embedder: Embedder, redis: Redis, settings: CoreSettings, *, ttl_seconds: int
    ) -> None:
        self.embedder = embedder
        self.ttl_seconds = ttl_seconds
        self.cache = Cache(redis, "search.query-embeddings", settings)

    async def embed(self, query: str) -> list[float]:
        if not self.ttl_seconds:
            return _unpack(await self._packed(query))
        # The dimension too: a remote model asked for another size gives other vectors.
        key = hashlib.sha256(
            f"{self.embedder.name}\0{self.embedder.dimension}\0{query}".encode()
        ).hexdigest()
        packed = await self.cache.get_or_load(
            key, lambda: self._packed(query), ttl=self.ttl_seconds, model=str
        )
        return _unpack(packed)

    async def _packed(self, query: str) -> str:
        # CPU-bound: off the event loop.
        [vector] = await asyncio.to_thread(self.embedder.embed, [query])
        return base64.b64encode(array.array("f", vector).tobytes()).decode()


def _unpack(packed: str) -> list[float]:
    return [float(value) for value in array.array("f", base64.b64decode(packed))]
