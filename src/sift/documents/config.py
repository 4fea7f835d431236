"""Settings of the documents service (environment variables `SIFT_DOCUMENTS_*`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class DocumentsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_DOCUMENTS_", env_file=".env", extra="ignore")

    port: int = 8102
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = (
        "/api/documents",
        "/api/collections",
    )


@lru_cache
def get_documents_settings() -> DocumentsSettings:
    return DocumentsSettings()
