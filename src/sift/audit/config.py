"""Settings of the audit service (environment variables `SIFT_AUDIT_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
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
    # Audit entries older than this are purged (the database refuses under 30 days; the
    # newest entry of each chain always stays): `sift.audit.log.retention`.
    log_retention_days: int = Field(default=365, ge=30)


@lru_cache
def get_audit_settings() -> AuditSettings:
    return AuditSettings()
