"""Settings of privacy requests (environment variables `SIFT_PRIVACY_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings

# Who holds data about a person, hence who must answer every request.
CONTENT_SERVICES: tuple[str, ...] = ("documents", "search", "assistant", "notifications")
# `audit` answers for itself too: the consents and the person's audit entries
# (sift.audit.privacy.own_part).
EXPORT_SERVICES: tuple[str, ...] = ("identity", *CONTENT_SERVICES, "audit")


class PrivacySettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_PRIVACY_")

    # How long the download link of an export (and the archive behind it) lives.
    export_link_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    # Identity's internal API, which checks the password (and second factor) of an erasure.
    identity_url: str = "http://127.0.0.1:8101"


@lru_cache
def get_privacy_settings() -> PrivacySettings:
    return PrivacySettings()
