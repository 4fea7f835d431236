"""The search service's FastAPI application (`sift serve search`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings, get_settings
from sift.search.access import endpoints as access
from sift.search.clicks import endpoints as clicks
from sift.search.config import (
    IngestSettings,
    SearchSettings,
    get_ingest_settings,
    get_search_settings,
)
from sift.search.evaluation import endpoints as evaluations
from sift.search.ingestion.backlog import IngestBacklog
from sift.search.ingestion.embedding import (
    Embedder,
    SentenceTransformerEmbedder,
    get_embedder,
)
from sift.search.reading import endpoints as reading
from sift.search.retrieval import endpoints as retrieval
from sift.search.retrieval.engine import Retrieval
from sift.search.saved import endpoints as saved_searches
from sift.search.vectors import create_vector_index

NAME = "search"
log = structlog.get_logger()


def _load_local_model(embedder: Embedder) -> None:
    if not isinstance(embedder, SentenceTransformerEmbedder):
        return  # a remote provider has nothing to load
    try:
        _ = embedder.model
    except Exception:  # the first query reports it too; serving goes on
        log.exception("search.embedder_warm_up_failed")


def query_embedder(ingest: IngestSettings, config: SearchSettings) -> Embedder:
    """The index's own model, on the serving process's share of torch threads."""
    threads = config.query_embedding_threads
    return get_embedder(ingest.model_copy(update={"embedding_threads": threads}))


def create_app(
    settings: CoreSettings | None = None, *, config: SearchSettings | None = None
) -> FastAPI:
    settings = settings or get_settings()
    config = config or get_search_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The query embedder is the index's own model.
        embedder = query_embedder(get_ingest_settings(), config)
        app.state.retrieval = Retrieval(
            config, settings, app.state.redis, embedder, vectors=create_vector_index(config)
        )
        # Load a local model now, off the event loop: otherwise the first semantic query
        # waits for it (seconds; tens of seconds on a busy machine).
        warm_up = asyncio.create_task(asyncio.to_thread(_load_local_model, embedder))
        yield
        warm_up.cancel()

    app = create_service_app(
        NAME,
        settings=settings,
        routers=[
            saved_searches.router,
            clicks.router,
            retrieval.router,
            reading.router,
            retrieval.internal_router,
            access.internal_router,
            evaluations.router,
        ],
        lifespan=lifespan,
        description="Hybrid full-text and semantic search over the caller's documents.",
    )
    app.state.metrics.hooks.append(IngestBacklog(app.state.metrics.registry).refresh)
    return app
