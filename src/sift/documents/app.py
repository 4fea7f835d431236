"""The documents service's FastAPI application (`sift serve documents`)."""

from __future__ import annotations

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings

NAME = "documents"


def create_app(settings: CoreSettings | None = None) -> FastAPI:
    return create_service_app(
        NAME,
        settings=settings,
        description="Collections, documents, versions and their files.",
    )
