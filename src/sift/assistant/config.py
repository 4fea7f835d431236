"""Settings of the assistant service (environment variables `SIFT_ASSISTANT_*`).

The provider chain is configuration: `SIFT_ASSISTANT_PROVIDERS='["gemini","openai","local"]'`.
A remote provider without a key (and, for openai, without a base URL of a local server)
is skipped as `not_configured`, so with no key at all the local extractive answerer
answers. `local` always answers last, whether listed or not.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings

ProviderName = Literal["gemini", "openai", "local"]


def _default_chain() -> list[ProviderName]:
    return ["gemini", "openai", "local"]


class ProviderPrice(BaseModel):
    """USD per million tokens."""

    input: float = Field(default=0.0, ge=0)
    output: float = Field(default=0.0, ge=0)


class AssistantSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_ASSISTANT_")

    port: int = 8104
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = ("/api/assistant",)

    # The search service's internal retrieval API (the caller's token is forwarded).
    search_url: str = "http://127.0.0.1:8103"
    search_timeout: float = Field(default=3.0, gt=0)
    passages: int = Field(default=8, ge=1, le=50)

    # Tried in order; `local` is always appended as the last resort.
    providers: list[ProviderName] = Field(default_factory=_default_chain)
    gemini_api_key: SecretStr | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None  # None: Google's endpoint
    openai_api_key: SecretStr | None = None
    openai_model: str = "gpt-4o-mini"
    # Any OpenAI-compatible server (vLLM, Ollama, llama.cpp): set this; a key is optional then.
    openai_base_url: str | None = None
    prices: dict[str, ProviderPrice] = Field(
        default_factory=lambda: {
            "gemini": ProviderPrice(input=0.30, output=2.50),
            "openai": ProviderPrice(input=0.15, output=0.60),
            "local": ProviderPrice(),
        }
    )
    max_output_tokens: int = Field(default=700, ge=16)

    # The whole chain must produce its first token within `budget_seconds`; each remote
    # provider gets at most `first_token_timeout` of what is left, and `local_reserve`
    # seconds are always kept for the local answerer.
    budget_seconds: float = Field(default=5.0, gt=0)
    first_token_timeout: float = Field(default=3.0, gt=0)
    # Per provider, overriding `first_token_timeout`: {"gemini": 2.5, "openai": 2.0}.
    provider_timeouts: dict[str, float] = Field(default_factory=dict)
    stream_idle_timeout: float = Field(default=10.0, gt=0)
    answer_timeout: float = Field(default=60.0, gt=0)
    local_reserve: float = Field(default=0.3, ge=0)
    retry_attempts: int = Field(default=3, ge=1)
    retry_backoff: float = Field(default=0.2, ge=0)
    retry_max_backoff: float = Field(default=2.0, ge=0)

    # Circuit breaker per provider, shared by replicas through Redis.
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_window_seconds: float = Field(default=60.0, gt=0)
    breaker_open_seconds: float = Field(default=30.0, gt=0)

    # Quotas (the `limits` library's notation): per user, and per organization.
    user_rate_limit: str = "20/minute"
    org_rate_limit: str = "5000/day"
    answer_cache_ttl: int = Field(default=3600, ge=0)  # 0 disables the answer cache
    history_turns: int = Field(default=3, ge=0)
    summary_chunk_chars: int = Field(default=12_000, ge=1000)  # map-reduce above this
    # Conversations without a new message for this long are deleted with their messages,
    # citations and feedback (`assistant.purge_conversations`, daily).
    conversation_retention_days: int = Field(default=365, ge=1)


@lru_cache
def get_assistant_settings() -> AssistantSettings:
    return AssistantSettings()
