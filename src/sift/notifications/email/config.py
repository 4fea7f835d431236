"""Settings of e-mail (`SIFT_NOTIFICATIONS_EMAIL_*`): the sender, its provider, the capture."""

from __future__ import annotations

import base64
import re
from email.utils import formataddr
from typing import Literal

from cryptography.hazmat.primitives import serialization
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings

# In the 81xx range of the services; `sift up` runs the capture there in development.
CAPTURE_PORT = 8125


class EmailSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_NOTIFICATIONS_EMAIL_")

    provider: Literal["smtp", "sendgrid", "ses"] = "smtp"
    from_address: str = "no-reply@sift.localhost"
    from_name: str = "Sift"
    # A mailbox that unsubscribes its sender too (`List-Unsubscribe: <mailto:...>`); the
    # https link is always there.
    unsubscribe_mailto: str | None = None
    unsubscribe_max_age_days: int = Field(default=90, ge=1)
    timeout_seconds: float = Field(default=10, gt=0)

    # SMTP: the local capture unless told otherwise.
    smtp_host: str = "127.0.0.1"
    smtp_port: int | None = None  # None: `capture_port`
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None

    sendgrid_api_key: SecretStr | None = None
    # SendGrid's API by default; tests point it at a local fake.
    sendgrid_host: str = "https://api.sendgrid.com"

    ses_region: str = "us-east-1"
    ses_endpoint_url: str | None = None  # None: AWS's own endpoint for the region
    # None: boto3's usual chain (environment, profile, instance role).
    ses_access_key_id: str | None = None
    ses_secret_access_key: SecretStr | None = None
    ses_configuration_set: str | None = None

    # Provider webhooks (`/api/notifications/webhooks/...`): what they report comes back to
    # the deliveries and the suppression list.
    # SendGrid's signed Event Webhook: the verification key SendGrid shows (base64 of the
    # DER public key, P-256); unset, the webhook answers 403 to everything.
    sendgrid_webhook_public_key: str | None = None
    # A signed request older (or newer) than this is refused: a replay.
    sendgrid_webhook_max_age_seconds: int = Field(default=600, ge=1)
    # SES reports through SNS: the topics whose messages are accepted (and whose
    # subscription is confirmed); empty, the webhook answers 403 to everything.
    ses_sns_topic_arns: tuple[str, ...] = ()
    # Where an SNS signing certificate or subscription link may be fetched from (a URL
    # prefix, as a regular expression): AWS's own hosts only, over https.
    ses_sns_url_pattern: str = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/"
    ses_sns_certificate_cache_seconds: int = Field(default=3600, ge=0)

    # The development SMTP capture `sift up` starts, read back at `GET /api/dev/mail`.
    capture_port: int = Field(default=CAPTURE_PORT, ge=1, le=65535)
    # "0.0.0.0" when the capture runs in a container of its own (Compose's `mail`).
    capture_host: str = "127.0.0.1"
    capture_max_messages: int = Field(default=500, ge=1)

    @model_validator(mode="after")
    def _provider_is_configured(self) -> EmailSettings:
        if self.provider == "sendgrid" and not self.sendgrid_api_key:
            raise ValueError("SIFT_NOTIFICATIONS_EMAIL_SENDGRID_API_KEY must be set for SendGrid")
        # A broken key or pattern fails at start, not on every provider call.
        re.compile(self.ses_sns_url_pattern)
        if self.sendgrid_webhook_public_key:
            try:
                der = base64.b64decode(self.sendgrid_webhook_public_key.strip(), validate=True)
                serialization.load_der_public_key(der)
            except ValueError as exc:  # binascii.Error is one too
                raise ValueError(
                    "SIFT_NOTIFICATIONS_EMAIL_SENDGRID_WEBHOOK_PUBLIC_KEY is not SendGrid's "
                    "verification key (base64 of a DER public key)"
                ) from exc
        return self

    @property
    def sender(self) -> str:
        """The `From` header: `Sift <no-reply@...>`."""
        return formataddr((self.from_name, self.from_address))

    @property
    def smtp_port_or_capture(self) -> int:
        return self.smtp_port if self.smtp_port is not None else self.capture_port
