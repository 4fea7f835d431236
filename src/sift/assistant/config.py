"""Settings of the assistant service (environment variables `SIFT_ASSISTANT_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class AssistantSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_ASSISTANT_", env_file=".env", extra="ignore")

    port: int = 8104
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = ("/api/assistant",)


@lru_cache
def get_assistant_settings() -> AssistantSettings:
    return AssistantSettings()
