"""Settings of the audit service (environment variables `SIFT_AUDIT_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class AuditSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_AUDIT_", env_file=".env", extra="ignore")

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
