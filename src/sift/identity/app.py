"""The identity service's FastAPI application (`sift serve identity`)."""

from __future__ import annotations

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings

NAME = "identity"


def create_app(settings: CoreSettings | None = None) -> FastAPI:
    return create_service_app(
        NAME,
        settings=settings,
        description="Accounts, organizations, sessions and access tokens.",
    )
