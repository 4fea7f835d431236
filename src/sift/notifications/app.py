"""The notifications service's FastAPI application (`sift serve notifications`)."""

from __future__ import annotations

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings
from sift.notifications.email.endpoints import router as dev_mail_router

NAME = "notifications"


def create_app(settings: CoreSettings | None = None) -> FastAPI:
    return create_service_app(
        NAME,
        routers=[dev_mail_router],
        settings=settings,
        description="In-app, e-mail and SMS notifications and their preferences.",
    )
