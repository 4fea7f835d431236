"""Every failover path of the provider chain, with the real SDKs against failing fake servers
and the circuit breaker's state in the real Redis."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from sift.assistant.providers.base import Usage
from sift.assistant.providers.breaker import BreakerConfig, CircuitBreaker, CircuitState
from sift.assistant.providers.chain import ChainEvent, Finished, ProviderChain, Restart, Token
from sift.assistant.providers.gemini import GeminiProvider
from sift.assistant.providers.local import LocalProvider
from sift.assistant.providers.openai import OpenAIProvider
from tests.assistant.conftest import ChainFactory, answer_request
from tests.fakes.gemini import FakeGemini
from tests.fakes.llm import BreakStream, Fail, Hang, Reply
from tests.fakes.openai import FakeOpenAI

QUESTION = "How is the Zephyr engine cooled?"


async def run(chain: ProviderChain) -> tuple[list[ChainEvent], Finished, str]:
    events = [event async for event in chain.run(answer_request(QUESTION))]
    finished = events[-1]
    assert isinstance(finished, Finished)
    text = ""
    for event in events:
        if isinstance(event, Restart):
            text = ""
        elif isinstance(event, Token):
            text += event.text
    return events, finished, text


async def test_a_429_is_retried_after_its_retry_after_then_answers(
    make_chain: ChainFactory, gemini: GeminiProvider, gemini_server: FakeGemini
) -> None:
    gemini_server.script(Fail(429, retry_after=1), Reply("Liquid cooling [1]."))
    started = time.perf_counter()
    _, finished, text = await run(make_chain([gemini]))
    assert (finished.provider, text) == ("gemini", "Liquid cooling [1].")
    assert len(gemini_server.chat_requests()) == 2
    assert time.perf_counter() - started >= 1.0  # Retry-After honoured
    assert finished.skipped == []


async def test_a_500_falls_over_to_the_next_provider_after_the_retries(
    make_chain: ChainFactory,
    gemini: GeminiProvider,
    gemini_server: FakeGemini,
    openai_provider: OpenAIProvider,
    openai_server: FakeOpenAI,
) -> None:
    gemini_server.default = Fail(500)
    openai_server.script(Reply("Liquid cooling [1]."))
    _, finished, text = await run(make_chain([gemini, openai_provider], retry_attempts=2))
    assert (finished.provider, finished.model, text) == (
        "openai",
        "gpt-4o-mini",
        "Liquid cooling [1].",
    )
    assert len(gemini_server.chat_requests()) == 2
    assert [(s.provider, s.reason, s.attempts) for s in finished.skipped] == [
        ("gemini", "http_500", 2)
    ]


async def test_a_client_error_is_not_retried(
    make_chain: ChainFactory,
    gemini: GeminiProvider,
    gemini_server: FakeGemini,
    openai_provider: OpenAIProvider,
) -> None:
    gemini_server.default = Fail(400)
    _, finished, _ = await run(make_chain([gemini, openai_provider], retry_attempts=3))
    assert finished.provider == "openai"
    assert len(gemini_server.chat_requests()) == 1


async def test_a_hanging_provider_times_out_and_the_next_answers_in_budget(
    make_chain: ChainFactory,
    gemini: GeminiProvider,
    gemini_server: FakeGemini,
    openai_provider: OpenAIProvider,
) -> None:
    gemini_server.default = Hang(30)
    started = time.perf_counter()
    chain = make_chain(
        [gemini, openai_provider], first_token_timeout=3.0, provider_timeouts={"gemini": 0.5}
    )
    _, finished, _ = await run(chain)
    assert finished.provider == "openai"
    assert [(s.provider, s.reason) for s in finished.skipped] == [("gemini", "timeout")]
    assert time.perf_counter() - started < 2.0


async def test_every_remote_hanging_still_gives_a_first_token_within_the_budget(
    make_chain: ChainFactory,
    gemini: GeminiProvider,
    gemini_server: FakeGemini,
    openai_provider: OpenAIProvider,
    openai_server: FakeOpenAI,
) -> None:
    gemini_server.default = Hang(30)
    openai_server.default = Hang(30)
    chain = make_chain([gemini, openai_provider], budget_seconds=1.5, first_token_timeout=1.0)
    started = time.perf_counter()
    first_token_at = None
    async for event in chain.run(answer_request(QUESTION)):
        if isinstance(event, Token) and first_token_at is None:
            first_token_at = time.perf_counter() - started
        if isinstance(event, Finished):
            assert event.provider == "local"
            assert [s.reason for s in event.skipped] == ["timeout", "timeout"]
    assert first_token_at is not None and first_token_at < 1.5


async def test_a_stream_broken_mid_answer_restarts_cleanly_with_the_next_provider(
    make_chain: ChainFactory,
    gemini: GeminiProvider,
    gemini_server: FakeGemini,
    openai_provider: OpenAIProvider,
    openai_server: FakeOpenAI,
) -> None:
    gemini_server.script(BreakStream(after_tokens=3, text="Half of an answer that never ends"))
    openai_server.script(Reply("Liquid cooling [1]."))
    events, finished, text = await run(make_chain([gemini, openai_provider]))
    kinds = [type(event).__name__ for event in events]
    restart = kinds.index("Restart")
    assert kinds[:restart] == ["Token"] * 3  # the client saw part of gemini's answer
    assert isinstance(events[restart], Restart) and events[restart].provider == "gemini"  # type: ignore[union-attr]
    assert text == "Liquid cooling [1]."  # and then only openai's, from the start
    assert finished.provider == "openai"
    assert finished.skipped[0].provider == "gemini"
    assert finished.skipped[0].reason.startswith("stream_broken")
    assert len(gemini_server.chat_requests()) == 1  # a broken stream is not retried


async def test_an_open_circuit_skips_the_provider_without_calling_it(
    make_chain: ChainFactory,
    gemini: GeminiProvider,
    gemini_server: FakeGemini,
    openai_provider: OpenAIProvider,
) -> None:
    gemini_server.default = Fail(503)
    chain = make_chain([gemini, openai_provider], threshold=2, retry_attempts=1)
    await run(chain)
    await run(chain)  # the second failure opens the circuit
    calls = len(gemini_server.chat_requests())
    _, finished, _ = await run(chain)
    assert len(gemini_server.chat_requests()) == calls
    assert [(s.provider, s.reason) for s in finished.skipped] == [("gemini", "circuit_open")]
    assert finished.provider == "openai"


async def test_replicas_share_the_circuit_state_through_redis(
    make_chain: ChainFactory,
    gemini: GeminiProvider,
    gemini_server: FakeGemini,
    openai_provider: OpenAIProvider,
    redis: Redis,
    breaker_prefix: str,
) -> None:
    gemini_server.default = Fail(500)
    replica_a = make_chain(
        [gemini, openai_provider], threshold=1, open_seconds=0.5, retry_attempts=1
    )
    other_gemini = GeminiProvider(
        api_key=gemini_server.api_key, model="gemini-2.5-flash", base_url=gemini_server.url
    )
    replica_b = make_chain([other_gemini], threshold=1, open_seconds=0.5)
    await run(replica_a)
    calls = len(gemini_server.chat_requests())
    _, finished, _ = await run(replica_b)  # another process: it reads the open circuit
    assert [(s.provider, s.reason) for s in finished.skipped] == [("gemini", "circuit_open")]
    assert finished.provider == "local"
    assert len(gemini_server.chat_requests()) == calls
    # After the open period one replica probes (half-open); its success closes the circuit.
    await asyncio.sleep(0.6)
    gemini_server.default = Reply()
    _, finished, _ = await run(replica_b)
    assert finished.provider == "gemini"
    observer = CircuitBreaker(redis, breaker_prefix, BreakerConfig())
    assert await observer.state("gemini") is CircuitState.closed
    await other_gemini.aclose()


async def test_only_one_replica_probes_a_half_open_circuit(
    redis: Redis, breaker_prefix: str
) -> None:
    config = BreakerConfig(failure_threshold=1, open_seconds=0.2, probe_seconds=5)
    first, second = (CircuitBreaker(redis, breaker_prefix, config) for _ in range(2))
    assert await first.record_failure("openai") is CircuitState.open
    assert not await second.allow("openai")
    await asyncio.sleep(0.25)
    assert [await first.allow("openai"), await second.allow("openai")] == [True, False]
    assert await second.record_failure("openai") is CircuitState.open  # the probe failed


async def test_without_any_key_the_local_provider_answers(make_chain: ChainFactory) -> None:
    chain = make_chain(
        [GeminiProvider(api_key=None, model="g"), OpenAIProvider(api_key=None, model="o")]
    )
    _, finished, text = await run(chain)
    assert finished.provider == "local" and finished.usage == Usage()
    assert [s.reason for s in finished.skipped] == ["not_configured", "not_configured"]
    assert text == "The Zephyr engine uses liquid cooling [1]."
    assert isinstance(chain.providers[-1], LocalProvider)
