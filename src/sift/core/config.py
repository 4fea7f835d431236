"""Settings: environment variables with a `SIFT_` prefix, one section per service."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "development-secret-change-me"  # noqa: S105 - refused in production
EMBEDDED_PG_PORT = 55432


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class SiftSettings(BaseSettings):
    """The base of every settings class: read from the environment and `.env`.

    A subclass names only its prefix (`model_config = SettingsConfigDict(env_prefix=
    "SIFT_SEARCH_")`); the rest is shared. Unknown variables are ignored because one
    environment feeds every section; a nested field can be set alone with `__`
    (`SIFT_IDENTITY_OAUTH__PROVIDERS__GOOGLE__CLIENT_SECRET`).
    """

    model_config = SettingsConfigDict(
        env_prefix="SIFT_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )


class StorageSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_STORAGE_")

    backend: Literal["local", "s3"] = "local"
    local_root: Path | None = None  # defaults to <data_dir>/files
    s3_bucket: str = "sift"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None


class EventSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_EVENTS_")

    stream: str = "events"
    dead_letter_stream: str = "events:dead"
    max_attempts: int = 5
    stream_maxlen: int = 1_000_000
    relay_batch_size: int = 200
    relay_poll_seconds: float = 0.2
    claim_idle_ms: int = 30_000


class OverloadSettings(SiftSettings):
    """How a service process sheds load it cannot serve at its normal latency: it answers
    503 with `Retry-After` at once instead of queueing (see `sift.core.overload`)."""

    model_config = SettingsConfigDict(env_prefix="SIFT_OVERLOAD_")

    # Requests handled at once by one process; more are refused. 0: no limit.
    max_concurrent_requests: int = Field(default=64, ge=0)
    # How long a request waits for a database connection before it is refused.
    db_pool_timeout_seconds: float = Field(default=2.0, gt=0)
    retry_after_seconds: int = Field(default=1, ge=1)
    # uvicorn's own cap (`--limit-concurrency`), a backstop above the request limit: it
    # counts open connections too, idle keep-alive ones from the gateway included.
    uvicorn_limit_concurrency: int = Field(default=1024, ge=1)


class CoreSettings(SiftSettings):
    """What every process needs; services add their own section next to it."""

    env: Environment = Environment.development
    data_dir: Path = Path(".sift")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SIFT_DATABASE_URL", "DATABASE_URL")
    )
    embedded_pg_port: int = EMBEDDED_PG_PORT
    # PostgreSQL's default (128MB) is smaller than the search indexes of a ~100k-chunk
    # workspace; pages are only touched as they are used.
    embedded_pg_shared_buffers: str = Field(default="512MB", pattern=r"^[1-9][0-9]*(kB|MB|GB)$")
    db_pool_size: int = 10
    db_statement_timeout_ms: int = 10_000
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "sift:"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 10 * 1024 * 1024
    cors_origins: list[str] = []
    public_url: str = "https://localhost:8443"
    storage: StorageSettings = Field(default_factory=StorageSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    overload: OverloadSettings = Field(default_factory=OverloadSettings)

    @model_validator(mode="after")
    def _refuse_defaults_in_production(self) -> CoreSettings:
        if self.env is Environment.production:
            if self.secret_key.get_secret_value() == DEFAULT_SECRET:
                raise ValueError("SIFT_SECRET_KEY must be set to a real secret in production")
            if self.database_url is None:
                raise ValueError("DATABASE_URL must be set in production")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The configured database, or the embedded cluster that `sift up` runs."""
        if self.database_url is None:
            return f"postgresql+asyncpg://postgres@127.0.0.1:{self.embedded_pg_port}/sift"
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        return url

    @property
    def sync_sqlalchemy_url(self) -> str:
        """For libraries that only speak sync drivers (APScheduler's job store)."""
        return self.sqlalchemy_url.replace("+asyncpg", "+psycopg", 1)

    def redis_key(self, *parts: str) -> str:
        return self.redis_prefix + ":".join(parts)


@lru_cache
def get_settings() -> CoreSettings:
    return CoreSettings()
