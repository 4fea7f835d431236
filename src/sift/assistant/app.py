"""The assistant service's FastAPI application (`sift serve assistant`)."""

from __future__ import annotations

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings

NAME = "assistant"


def create_app(settings: CoreSettings | None = None) -> FastAPI:
    return create_service_app(
        NAME,
        settings=settings,
        description="Grounded answers with citations from the caller's documents.",
    )
