"""Settings of SMS notifications (`SIFT_NOTIFICATIONS_SMS_*`): the service's own Twilio
account (identity has its own for second factors) and the phone check's limits."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings

WEBHOOK_PATH = "/api/notifications/webhooks/twilio"


class SmsSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_NOTIFICATIONS_SMS_")

    account_sid: str = ""
    auth_token: SecretStr = SecretStr("")
    from_number: str = ""
    # Twilio's API by default; tests point it at a local fake server.
    base_url: str = "https://api.twilio.com"
    timeout_seconds: float = Field(default=10, gt=0)
    # The verification code: valid this long, this many wrong tries, then a new one is needed.
    code_minutes: int = Field(default=10, ge=1, le=60)
    code_attempts: int = Field(default=5, ge=1, le=20)
    # Codes cost money and reach a person: one per `resend_seconds`, `sends_per_hour` at most.
    resend_seconds: int = Field(default=60, ge=1)
    sends_per_hour: int = Field(default=5, ge=1)

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token.get_secret_value() and self.from_number)
