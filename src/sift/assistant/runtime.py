"""What the assistant app holds for its lifetime: providers, chain, search client, cache."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

import httpx
from fastapi import Depends, Request
from pydantic import SecretStr
from redis.asyncio import Redis

from sift.assistant.answers.cache import AnswerCache
from sift.assistant.config import AssistantSettings
from sift.assistant.providers.base import Provider, Usage
from sift.assistant.providers.breaker import BreakerConfig, CircuitBreaker
from sift.assistant.providers.chain import ChainConfig, ProviderChain
from sift.assistant.providers.gemini import GeminiProvider
from sift.assistant.providers.local import LocalProvider
from sift.assistant.providers.openai import OpenAIProvider
from sift.assistant.retrieval import SearchClient
from sift.core.config import CoreSettings
from sift.core.http import create_http_client

MILLION = Decimal(1_000_000)


def build_providers(config: AssistantSettings) -> list[Provider]:
    """The configured chain, in order (unknown names are refused by the settings check)."""
    timeout = config.answer_timeout
    built: list[Provider] = []
    for name in config.providers:
        if name == "gemini":
            built.append(
                _sdk_provider(
                    GeminiProvider,
                    config.gemini_api_key,
                    config.gemini_model,
                    config.gemini_base_url,
                    timeout,
                )
            )
        elif name == "openai":
            built.append(
                _sdk_provider(
                    OpenAIProvider,
                    config.openai_api_key,
                    config.openai_model,
                    config.openai_base_url,
                    timeout,
                )
            )
        elif name == "local":
            built.append(LocalProvider())
        else:
            raise ValueError(f"unknown assistant provider {name!r}")
    return built


def _sdk_provider(
    kind: type[GeminiProvider | OpenAIProvider],
    key: SecretStr | None,
    model: str,
    base_url: str | None,
    timeout: float,
) -> Provider:
    api_key = key.get_secret_value() if key else None
    return kind(api_key=api_key, model=model, base_url=base_url, timeout=timeout)


def chain_config(config: AssistantSettings) -> ChainConfig:
    return ChainConfig(
        budget_seconds=config.budget_seconds,
        first_token_timeout=config.first_token_timeout,
        provider_timeouts=config.provider_timeouts,
        stream_idle_timeout=config.stream_idle_timeout,
        answer_timeout=config.answer_timeout,
        local_reserve=config.local_reserve,
        retry_attempts=config.retry_attempts,
        retry_backoff=config.retry_backoff,
        retry_max_backoff=config.retry_max_backoff,
    )


@dataclass
class Runtime:
    config: AssistantSettings
    chain: ProviderChain
    local_chain: ProviderChain  # for questions with no passage: no remote call is worth it
    search: SearchClient
    cache: AnswerCache
    http: httpx.AsyncClient

    def chain_for(self, preferred: str | None) -> ProviderChain:
        """The chain with an organization's preferred provider tried first (the others keep
        their order behind it); the installation's chain when it prefers none it offers."""
        names = [provider.name for provider in self.chain.providers]
        if preferred is None or preferred not in names or names[0] == preferred:
            return self.chain
        # The providers (and their clients) are shared: only the order differs.
        first = [p for p in self.chain.providers if p.name == preferred]
        rest = [p for p in self.chain.providers if p.name != preferred]
        return ProviderChain(first + rest, breaker=self.chain.breaker, config=self.chain.config)

    def offered_providers(self) -> list[tuple[str, bool]]:
        """The installation's providers in order, each with whether it can answer."""
        return [(provider.name, provider.configured) for provider in self.chain.providers]

    def cost(self, provider: str, usage: Usage) -> Decimal:
        price = self.config.prices.get(provider)
        if price is None:
            return Decimal(0)
        total = Decimal(str(price.input)) * usage.prompt_tokens
        total += Decimal(str(price.output)) * usage.completion_tokens
        return (total / MILLION).quantize(Decimal("0.000001"))

    async def aclose(self) -> None:
        await self.chain.aclose()
        await self.http.aclose()


def create_runtime(
    settings: CoreSettings,
    config: AssistantSettings,
    redis: Redis,
    *,
    providers: list[Provider] | None = None,
    search_transport: httpx.AsyncBaseTransport | None = None,
) -> Runtime:
    breaker = CircuitBreaker(
        redis,
        settings.redis_key("assistant:breaker:"),
        BreakerConfig(
            failure_threshold=config.breaker_failure_threshold,
            window_seconds=config.breaker_window_seconds,
            open_seconds=config.breaker_open_seconds,
            probe_seconds=config.answer_timeout,
        ),
    )
    settings_for_chain = chain_config(config)
    chain = ProviderChain(
        providers if providers is not None else build_providers(config),
        breaker=breaker,
        config=settings_for_chain,
    )
    http = create_http_client(
        base_url=config.search_url,
        timeout=config.search_timeout,
        retries=1,
        transport=search_transport,
    )
    return Runtime(
        config=config,
        chain=chain,
        local_chain=ProviderChain([LocalProvider()], config=settings_for_chain),
        search=SearchClient(http),
        cache=AnswerCache(redis, settings.redis_key("assistant:answers:"), config.answer_cache_ttl),
        http=http,
    )


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.assistant
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
