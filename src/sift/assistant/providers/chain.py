"""Failover over the providers: timeout, retry with jittered backoff, circuit breaker, fallback.

Each provider in order: skipped when not configured or when its circuit is open; else
asked, and asked again (tenacity, exponential backoff with jitter, honouring a short
`Retry-After`) on retryable errors before its first token. The first token must come
within the provider's share of the answer's budget, which always keeps `local_reserve`
seconds for the local answerer, so the first token of the chain arrives within the
budget. A stream that breaks after tokens were sent is not retried: the chain emits
`Restart` (the caller discards the partial answer) and continues with the next provider.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_exponential_jitter

from sift.assistant.providers.base import (
    GenerationRequest,
    Provider,
    ProviderError,
    StreamBroken,
    Usage,
)
from sift.assistant.providers.breaker import CircuitBreaker
from sift.assistant.providers.local import LocalProvider
from sift.assistant.providers.metrics import PROVIDER_FAILOVERS

log = structlog.get_logger()

_MIN_ATTEMPT_SECONDS = 0.05


@dataclass(frozen=True)
class ChainConfig:
    budget_seconds: float = 5.0
    first_token_timeout: float = 3.0
    provider_timeouts: Mapping[str, float] = field(default_factory=dict)
    stream_idle_timeout: float = 10.0
    answer_timeout: float = 60.0
    local_reserve: float = 0.3
    retry_attempts: int = 3
    retry_backoff: float = 0.2
    retry_max_backoff: float = 2.0


@dataclass(frozen=True)
class Skip:
    """Why a provider did not answer."""

    provider: str
    reason: str
    attempts: int = 0


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Restart:
    """`provider`'s stream broke mid-answer; the answer starts again with the next one."""

    provider: str
    reason: str


@dataclass(frozen=True)
class Finished:
    provider: str
    model: str
    usage: Usage
    skipped: list[Skip] = field(default_factory=list)


ChainEvent = Token | Restart | Finished


class _OutOfTime(stop_base):
    """Stop retrying when the next attempt could not start before `deadline`."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.loop = asyncio.get_running_loop()

    def __call__(self, retry_state: RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep or 0.0
        return self.loop.time() + upcoming + _MIN_ATTEMPT_SECONDS >= self.deadline


class AllProvidersFailed(Exception):
    def __init__(self, skipped: list[Skip]) -> None:
        super().__init__("no provider could answer")
        self.skipped = skipped


def _retryable(error: BaseException) -> bool:
    return (
        isinstance(error, ProviderError) and error.retryable and not isinstance(error, StreamBroken)
    )


class ProviderChain:
    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        breaker: CircuitBreaker | None = None,
        config: ChainConfig | None = None,
    ) -> None:
        chain = list(providers)
        if not any(isinstance(provider, LocalProvider) for provider in chain):
            chain.append(LocalProvider())  # the last resort is always there
        self.providers = chain
        self.breaker = breaker
        self.config = config or ChainConfig()
        self._backoff = wait_exponential_jitter(
            initial=self.config.retry_backoff,
            max=self.config.retry_max_backoff,
            jitter=self.config.retry_backoff,
        )

    @property
    def signature(self) -> str:
        """Which providers (and models) may answer, for cache keys."""
        return ",".join(f"{p.name}:{p.model}" for p in self.providers if p.configured)

    async def run(self, request: GenerationRequest) -> AsyncIterator[ChainEvent]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.budget_seconds
        skipped: list[Skip] = []
        for provider in self.providers:
            local = isinstance(provider, LocalProvider)
            if not provider.configured:
                skipped.append(Skip(provider.name, "not_configured"))
                continue
            if (
                not local
                and self.breaker is not None
                and not await self.breaker.allow(provider.name)
            ):
                skipped.append(Skip(provider.name, "circuit_open"))
                PROVIDER_FAILOVERS.labels(provider.name, "circuit_open").inc()
                continue
            attempts = 0
            try:
                async for attempt in self._retrying(deadline, local):
                    with attempt:
                        attempts += 1
                        stream, first = await self._open(provider, request, deadline, local)
            except ProviderError as error:
                skipped.append(Skip(provider.name, error.reason, attempts))
                PROVIDER_FAILOVERS.labels(provider.name, error.reason).inc()
                log.warning(
                    "assistant.provider.skipped",
                    provider=provider.name,
                    reason=error.reason,
                    attempts=attempts,
                )
                continue
            try:
                usage = None
                async for item in self._rest(stream, first):
                    if isinstance(item, Usage):
                        usage = item
                    else:
                        yield Token(item)
            except StreamBroken as broken:
                await self._failed(provider)
                skipped.append(Skip(provider.name, broken.reason, attempts))
                PROVIDER_FAILOVERS.labels(provider.name, broken.reason).inc()
                log.warning(
                    "assistant.provider.broken", provider=provider.name, reason=broken.reason
                )
                yield Restart(provider.name, broken.reason)
                continue
            finally:
                await stream.aclose()
            if not local and self.breaker is not None:
                await self.breaker.record_success(provider.name)
            yield Finished(provider.name, provider.model, usage or Usage(), skipped)
            return
        raise AllProvidersFailed(skipped)

    def _retrying(self, deadline: float, local: bool) -> AsyncRetrying:
        reserve = 0.0 if local else self.config.local_reserve
        out_of_time = _OutOfTime(deadline - reserve)
        return AsyncRetrying(
            retry=retry_if_exception(_retryable),
            wait=self._wait,
            stop=stop_any(
                stop_after_attempt(1 if local else self.config.retry_attempts), out_of_time
            ),
            reraise=True,
        )

    def _wait(self, state: RetryCallState) -> float:
        backoff = self._backoff(state)
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, ProviderError) and error.retry_after is not None:
            return max(backoff, error.retry_after)
        return backoff

    async def _open(
        self, provider: Provider, request: GenerationRequest, deadline: float, local: bool
    ) -> tuple[AsyncGenerator[str | Usage, None], str | Usage]:
        """Starts the stream and waits for its first piece within the provider's time."""
        loop = asyncio.get_running_loop()
        if local:
            timeout = self.config.answer_timeout
        else:
            left = deadline - self.config.local_reserve - loop.time()
            own = self.config.provider_timeouts.get(provider.name, self.config.first_token_timeout)
            timeout = min(own, left)
            if timeout < _MIN_ATTEMPT_SECONDS:
                raise ProviderError("budget_exhausted", retryable=False)
        stream = provider.stream(request)
        try:
            async with asyncio.timeout(timeout):
                first = await anext(stream)
        except StopAsyncIteration:
            await self._failed(provider)
            raise StreamBroken("empty_stream") from None
        except TimeoutError:
            await stream.aclose()
            await self._failed(provider)
            raise ProviderError("timeout", retryable=False) from None
        except ProviderError:
            await stream.aclose()
            await self._failed(provider)
            raise
        return stream, first

    async def _rest(
        self, stream: AsyncGenerator[str | Usage, None], first: str | Usage
    ) -> AsyncGenerator[str | Usage, None]:
        """The first piece, then the others until the usage record; any failure breaks it."""
        loop = asyncio.get_running_loop()
        answer_deadline = loop.time() + self.config.answer_timeout
        item = first
        while True:
            yield item
            if isinstance(item, Usage):
                return
            timeout = min(self.config.stream_idle_timeout, answer_deadline - loop.time())
            try:
                async with asyncio.timeout(max(timeout, 0.0)):
                    item = await anext(stream)
            except StopAsyncIteration:
                raise StreamBroken("stream_incomplete") from None
            except TimeoutError:
                raise StreamBroken("stream_stalled") from None
            except StreamBroken:
                raise
            except ProviderError as error:
                raise StreamBroken(f"stream_broken:{error.reason}") from error

    async def _failed(self, provider: Provider) -> None:
        if self.breaker is not None and not isinstance(provider, LocalProvider):
            await self.breaker.record_failure(provider.name)

    async def aclose(self) -> None:
        for provider in self.providers:
            await provider.aclose()
