"""Settings of the notifications service (environment variables `SIFT_NOTIFICATIONS_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings
from sift.notifications.delivery.config import DeliverySettings
from sift.notifications.email.config import EmailSettings
from sift.notifications.sms.config import SmsSettings


class NotificationsSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_NOTIFICATIONS_")

    port: int = 8105
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = ("/api/notifications", "/api/dev/mail", "/api/dev/sms")

    # The live feed: a heartbeat comment this often keeps proxies from closing a quiet
    # stream; the table is read again this often even without a signal (one lost in Redis).
    stream_heartbeat_seconds: float = Field(default=15, gt=0)
    stream_resync_seconds: float = Field(default=60, gt=0)

    # Retention (days), pruned daily: read notifications, any notification, the sign-in
    # addresses not seen again, the uploads kept to tell their uploaders.
    read_retention_days: int = Field(default=90, ge=1)
    retention_days: int = Field(default=365, ge=1)
    sign_in_retention_days: int = Field(default=180, ge=1)
    upload_retention_days: int = Field(default=180, ge=1)

    email: EmailSettings = Field(default_factory=EmailSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)


@lru_cache
def get_notifications_settings() -> NotificationsSettings:
    return NotificationsSettings()
