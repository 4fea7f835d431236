"""Settings of second factors (`SIFT_IDENTITY_MFA_*`) and of Twilio (`SIFT_TWILIO_*`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings


class MfaConfig(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_IDENTITY_MFA_")

    issuer: str = "Sift"  # what authenticator apps show beside the account
    # Wrong codes in a row before verification pauses for `lock_seconds` (then counts anew):
    # bounded, so an attacker who has the password cannot lock the owner out for good.
    max_failures: int = Field(default=5, ge=1)
    lock_seconds: int = Field(default=300, ge=1)
    sms_code_minutes: int = Field(default=5, ge=1, le=30)
    sms_code_attempts: int = Field(default=5, ge=1)
    # Sending SMS costs money and reaches a person: per account and per IP.
    sms_send_limit: str = "3/minute;10/hour"
    verify_limit: str = "10/minute;60/hour"


class TwilioSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_TWILIO_")

    account_sid: str = ""
    auth_token: SecretStr = SecretStr("")
    from_number: str = ""
    # Twilio's API by default; tests point it at a local fake server.
    base_url: str = "https://api.twilio.com"
    timeout_seconds: float = Field(default=10, gt=0)

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token.get_secret_value() and self.from_number)
