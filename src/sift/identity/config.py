"""Settings of the identity service (environment variables `SIFT_IDENTITY_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class IdentitySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_IDENTITY_", env_file=".env", extra="ignore")

    port: int = 8101
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = (
        "/api/identity",
        "/api/auth",
        "/api/users",
        "/api/orgs",
        "/api/invitations",
        "/.well-known/jwks.json",
    )


@lru_cache
def get_identity_settings() -> IdentitySettings:
    return IdentitySettings()
