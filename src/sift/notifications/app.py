"""The notifications service's FastAPI application (`sift serve notifications`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sift.core.app import create_service_app
from sift.core.config import CoreSettings
from sift.notifications.config import NotificationsSettings, get_notifications_settings
from sift.notifications.delivery.endpoints import router as delivery_router
from sift.notifications.delivery.webhooks import router as webhooks_router
from sift.notifications.email.endpoints import router as dev_mail_router
from sift.notifications.inapp.endpoints import router as inapp_router
from sift.notifications.inapp.subscriptions import Subscriptions
from sift.notifications.preferences.endpoints import router as preferences_router
from sift.notifications.sms.endpoints import dev_router as dev_sms_router
from sift.notifications.sms.endpoints import router as phone_router
from sift.notifications.sms.webhooks import router as twilio_router

NAME = "notifications"
STREAM_PATH = "/api/notifications/stream"


def create_app(
    settings: CoreSettings | None = None, *, config: NotificationsSettings | None = None
) -> FastAPI:

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The live feed's one Redis subscription for the whole process.
        app.state.subscriptions = Subscriptions(app.state.redis)
        try:
            yield
        finally:
            await app.state.subscriptions.close()

    app = create_service_app(
        NAME,
        routers=[
            preferences_router,
            inapp_router,
            dev_mail_router,
            dev_sms_router,
            delivery_router,
            webhooks_router,
            phone_router,
            twilio_router,
        ],
        settings=settings,
        lifespan=lifespan,
        description="In-app, e-mail and SMS notifications and their preferences.",
        # An open live feed is a listening client, not a request in progress: counted, they
        # capped a replica at 64 listeners (bench/notifications); it holds 1,000.
        long_lived_paths=[STREAM_PATH],
    )
    app.state.notifications_config = config or get_notifications_settings()
    return app
