"""Settings of the notifications service (environment variables `SIFT_NOTIFICATIONS_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings
from sift.notifications.email.config import EmailSettings


class NotificationsSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_NOTIFICATIONS_")

    port: int = 8105
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = ("/api/notifications", "/api/dev/mail")

    email: EmailSettings = Field(default_factory=EmailSettings)


@lru_cache
def get_notifications_settings() -> NotificationsSettings:
    return NotificationsSettings()
