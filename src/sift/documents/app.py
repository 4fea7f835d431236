"""The documents service's FastAPI application (`sift serve documents`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings, get_settings
from sift.core.storage import create_storage
from sift.documents.collections import endpoints as collections
from sift.documents.config import DocumentsSettings, get_documents_settings
from sift.documents.documents import endpoints as documents
from sift.documents.ingestion import endpoints as ingestion
from sift.documents.settings import endpoints as document_settings

NAME = "documents"


def create_app(
    settings: CoreSettings | None = None, *, config: DocumentsSettings | None = None
) -> FastAPI:
    settings = settings or get_settings()
    config = config or get_documents_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.storage = create_storage(settings)
        try:
            yield
        finally:
            await app.state.storage.aclose()

    app = create_service_app(
        NAME,
        settings=settings,
        # Ingestion first: its paths would otherwise match `/api/documents/{document_id}`.
        routers=[collections.router, ingestion.router, document_settings.router, documents.router],
        # Uploads are the only large bodies; the file's own cap is enforced while it streams.
        max_body_bytes=max(config.max_request_bytes, settings.max_body_bytes),
        lifespan=lifespan,
        description="Collections, documents, versions and their files.",
    )
    app.state.documents = config
    return app
