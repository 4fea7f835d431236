"""Settings of the audit service (environment variables `SIFT_AUDIT_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings


class AuditSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_AUDIT_")

    port: int = 8106
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = (
        "/api/audit",
        "/api/analytics",
        "/api/privacy",
    )


@lru_cache
def get_audit_settings() -> AuditSettings:
    return AuditSettings()
