"""The search service's FastAPI application (`sift serve search`)."""

from __future__ import annotations

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings

NAME = "search"


def create_app(settings: CoreSettings | None = None) -> FastAPI:
    return create_service_app(
        NAME,
        settings=settings,
        description="Hybrid full-text and semantic search over the caller's documents.",
    )
