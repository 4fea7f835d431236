"""Fixtures of the assistant tests: passages, the fake Gemini and OpenAI servers, providers
built on the real SDKs pointed at them, and chains whose circuit breaker lives in Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from redis.asyncio import Redis

from sift.assistant.grounding import prompt as prompts
from sift.assistant.passages import Passage
from sift.assistant.providers.base import GenerationRequest, Provider, Task
from sift.assistant.providers.breaker import BreakerConfig, CircuitBreaker
from sift.assistant.providers.chain import ChainConfig, ProviderChain
from sift.assistant.providers.gemini import GeminiProvider
from sift.assistant.providers.openai import OpenAIProvider
from sift.core.config import CoreSettings
from tests.fakes.gemini import FakeGemini, fake_gemini
from tests.fakes.openai import FakeOpenAI, fake_openai

ENGINE_TEXTS = [
    "The Zephyr engine uses liquid cooling. It was designed in 1998 by Ada Works.",
    "Maintenance of the Zephyr engine is due every 500 hours. The Zephyr engine weighs 120 kg.",
    "Solar panels convert sunlight into electricity. Panels lose efficiency when hot.",
]


def passage(text: str, **fields: Any) -> Passage:
    values: dict[str, Any] = {
        "chunk_id": uuid.uuid4(),
        "document_id": uuid.uuid4(),
        "document_title": "Engine manual",
        "collection_id": uuid.uuid4(),
        "version_id": uuid.uuid4(),
        "page": 1,
        "start_char": 1000,
        "end_char": 1000 + len(text),
        "text": text,
        "score": 1.0,
    }
    values.update(fields)
    return Passage(**values)


def passages(*texts: str) -> list[Passage]:
    return [passage(text) for text in (texts or ENGINE_TEXTS)]


def answer_request(question: str, found: list[Passage] | None = None) -> GenerationRequest:
    found = found if found is not None else passages()
    return GenerationRequest(
        task=Task.answer,
        question=question,
        passages=found,
        system=prompts.ANSWER_SYSTEM,
        prompt=prompts.answer_prompt(question, found, []),
    )


@pytest.fixture
def gemini_server() -> Iterator[FakeGemini]:
    with fake_gemini() as server:
        yield server


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    with fake_openai() as server:
        yield server


@pytest.fixture
async def gemini(gemini_server: FakeGemini) -> AsyncIterator[GeminiProvider]:
    provider = GeminiProvider(
        api_key=gemini_server.api_key, model="gemini-2.5-flash", base_url=gemini_server.url
    )
    yield provider
    await provider.aclose()


@pytest.fixture
async def openai_provider(openai_server: FakeOpenAI) -> AsyncIterator[OpenAIProvider]:
    provider = OpenAIProvider(
        api_key=openai_server.api_key, model="gpt-4o-mini", base_url=openai_server.base_url
    )
    yield provider
    await provider.aclose()


FAST = ChainConfig(
    budget_seconds=5.0,
    first_token_timeout=2.0,
    stream_idle_timeout=2.0,
    answer_timeout=10.0,
    local_reserve=0.3,
    retry_attempts=2,
    retry_backoff=0.01,
    retry_max_backoff=0.05,
)

ChainFactory = Callable[..., ProviderChain]


@pytest.fixture
def breaker_prefix(settings: CoreSettings) -> str:
    return settings.redis_key("assistant:breaker:")


@pytest.fixture
def make_chain(redis: Redis, breaker_prefix: str) -> ChainFactory:
    """`make_chain([gemini, openai], threshold=2, **chain_config)`: a replica's chain; two
    chains made here share their circuit state through Redis, like two replicas."""

    def factory(
        providers: list[Provider],
        *,
        threshold: int = 5,
        open_seconds: float = 30.0,
        **overrides: Any,
    ) -> ProviderChain:
        breaker = CircuitBreaker(
            redis,
            breaker_prefix,
            BreakerConfig(failure_threshold=threshold, open_seconds=open_seconds),
        )
        config = ChainConfig(**{**FAST.__dict__, **overrides})
        return ProviderChain(providers, breaker=breaker, config=config)

    return factory
