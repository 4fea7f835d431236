"""The assistant service's FastAPI application (`sift serve assistant`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from sift.assistant.answers import endpoints as answers
from sift.assistant.config import AssistantSettings, get_assistant_settings
from sift.assistant.conversations import endpoints as conversations
from sift.assistant.providers.base import Provider
from sift.assistant.providers.circuit_metrics import CircuitGauges
from sift.assistant.runtime import create_runtime
from sift.assistant.settings import endpoints as assistant_settings
from sift.core.app import create_service_app
from sift.core.config import CoreSettings, get_settings

NAME = "assistant"


def create_app(
    settings: CoreSettings | None = None,
    *,
    config: AssistantSettings | None = None,
    providers: list[Provider] | None = None,
    search_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """`providers` replaces the configured chain and `search_transport` the network path to
    the search service (tests reach the real search app in process this way)."""
    settings = settings or get_settings()
    config = config or get_assistant_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = create_runtime(
            settings,
            config,
            app.state.redis,
            providers=providers,
            search_transport=search_transport,
        )
        app.state.assistant = runtime
        try:
            yield
        finally:
            await runtime.aclose()

    app = create_service_app(
        NAME,
        settings=settings,
        routers=[answers.router, conversations.router, assistant_settings.router],
        lifespan=lifespan,
        description="Grounded answers with citations from the caller's documents.",
    )
    app.state.metrics.hooks.append(CircuitGauges(app.state.metrics.registry).refresh)
    return app
