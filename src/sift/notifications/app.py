"""The notifications service's FastAPI application (`sift serve notifications`)."""

from __future__ import annotations

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings

NAME = "notifications"


def create_app(settings: CoreSettings | None = None) -> FastAPI:
    return create_service_app(
        NAME,
        settings=settings,
        description="In-app, e-mail and SMS notifications and their preferences.",
    )
