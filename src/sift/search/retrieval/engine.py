"""What the query engine needs from its app, made once per app (`app.state.retrieval`)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from sift.core.cache import Cache
from sift.core.config import CoreSettings
from sift.search.config import SearchSettings
from sift.search.ingestion.embedding import Embedder
from sift.search.retrieval.cursor import CursorCodec
from sift.search.retrieval.repository.vectors import HnswOptions
from sift.search.retrieval.semantic import QueryEmbeddings
from sift.search.vectors import VectorIndex


@dataclass
class Retrieval:
    """What the engine needs from its app: settings, Redis, the query embedder."""

    config: SearchSettings
    settings: CoreSettings
    redis: Redis
    embedder: Embedder
    # None or pgvector: k-NN is SQL over search.chunks; Pinecone answers k-NN itself.
    vectors: VectorIndex | None = None

    def __post_init__(self) -> None:
        self.embeddings = QueryEmbeddings(
            self.embedder,
            self.redis,
            self.settings,
            ttl_seconds=self.config.query_embedding_cache_seconds,
        )
        self.results = Cache(self.redis, "search.results", self.settings)
        self.cursors = CursorCodec(self.settings.secret_key.get_secret_value().encode())
        self.hnsw = HnswOptions(
            ef_search=self.config.hnsw_ef_search,
            iterative_scan=self.config.hnsw_iterative_scan,
            max_scan_tuples=self.config.hnsw_max_scan_tuples,
        )
