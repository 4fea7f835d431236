"""The query side of semantic search: the query embedded by the index's own model, cached.

Its k-NN over pgvector HNSW is SQL, in `sift.search.retrieval.repository.vectors`.
"""

from __future__ import annotations

import array
import asyncio
import base64
import hashlib

from redis.asyncio import Redis

from sift.core.cache import Cache
from sift.core.config import CoreSettings
from sift.search.ingestion.embedding import Embedder


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
