"""Query vectors are cached in Redis through `sift.core.cache`: the model runs once a query."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from redis.asyncio import Redis

from sift.core.config import CoreSettings
from sift.search.app import query_embedder
from sift.search.config import IngestSettings, SearchSettings
from sift.search.ingestion.embedding import Embedder, SentenceTransformerEmbedder
from sift.search.retrieval.semantic import QueryEmbeddings


class CountingModel(Embedder):
    """A stand-in for the model (external code): counts what it is asked to embed."""

    name = "counting-model"
    dimension = 4
    max_tokens = 64

    def __init__(self) -> None:
        self.asked: list[str] = []

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.asked.extend(texts)
        return [[0.5, -0.25, float(len(text)), 1.0] for text in texts]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(text.split()) for text in texts]


async def test_a_query_is_embedded_once_then_read_from_the_cache(
    redis: Redis, settings: CoreSettings
) -> None:
    model = CountingModel()
    embeddings = QueryEmbeddings(model, redis, settings, ttl_seconds=60)

    first = await embeddings.embed("harbor cranes")
    again = await asyncio.gather(*(embeddings.embed("harbor cranes") for _ in range(3)))

    assert first == [0.5, -0.25, 13.0, 1.0]
    assert again == [first] * 3
    assert model.asked == ["harbor cranes"]
    pattern = settings.redis_key("cache", "search.query-embeddings", "v", "*")
    assert len([key async for key in redis.scan_iter(match=pattern)]) == 1


async def test_concurrent_misses_embed_once_and_no_ttl_means_no_cache(
    redis: Redis, settings: CoreSettings
) -> None:
    model = CountingModel()
    cached = QueryEmbeddings(model, redis, settings, ttl_seconds=60)
    await asyncio.gather(*(cached.embed("fresh query") for _ in range(4)))
    assert model.asked == ["fresh query"]

    uncached = QueryEmbeddings(model, redis, settings, ttl_seconds=0)
    await uncached.embed("fresh query")
    await uncached.embed("fresh query")
    assert model.asked == ["fresh query"] * 3


def test_a_serving_process_embeds_queries_on_its_own_share_of_torch_threads() -> None:
    ingest = IngestSettings(embedding_threads=0)
    embedder = query_embedder(ingest, SearchSettings(query_embedding_threads=1))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.threads == 1  # the ingest workers' setting is left alone
    assert ingest.embedding_threads == 0
    default = query_embedder(ingest, SearchSettings(query_embedding_threads=0))
    assert isinstance(default, SentenceTransformerEmbedder) and default.threads == 0
