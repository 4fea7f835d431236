"""Settings of the search service (environment variables `SIFT_SEARCH_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class SearchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_SEARCH_", env_file=".env", extra="ignore")

    port: int = 8103
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = (
        "/api/search",
        "/api/saved-searches",
    )


@lru_cache
def get_search_settings() -> SearchSettings:
    return SearchSettings()
