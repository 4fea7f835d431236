"""Outgoing HTTP: one factory for httpx clients with sane timeouts, retries and request IDs.

    async with create_http_client(base_url="http://search:8000") as client:
        response = await client.get("/internal/passages", params=...)

The retries live in a transport wrapper (`RetryingTransport`), so every request of a
client built here is covered, whichever client method sent it. What is retried:
- failures to connect, for every method: nothing reached the server;
- other transport errors and 502/503/504 answers, for idempotent methods only, and only
  when the body can be sent again.
Waits grow exponentially with jitter; a server's `Retry-After` is honoured when it asks
for no more than `max_retry_after` seconds, and otherwise its answer is returned as is.
"""

from __future__ import annotations

import email.utils
import functools
import time
from collections.abc import Mapping
from typing import Any

import httpx
import structlog
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from sift.core.tracing import traced_transport

log = structlog.get_logger()

REQUEST_ID_HEADER = "X-Request-ID"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRYABLE_STATUSES = frozenset({502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=10.0, pool=3.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
USER_AGENT = "sift/0.1"
# Raised before a single byte of the request was sent: safe to repeat for any method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)
# The request may have reached the server: repeat only what is idempotent.
# Timeouts are not retried: the caller's time budget is already spent.
_MAYBE_SENT = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


def current_request_id() -> str | None:
    """The request ID bound to this context by the request middleware (or a task)."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return str(request_id) if request_id else None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport: adds the request ID and retries what is safe to retry."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        *,
        retries: int = 2,
        backoff: float = 0.2,
        max_backoff: float = 5.0,
        max_retry_after: float = 10.0,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.transport = transport
        self.retries = retries
        self.max_retry_after = max_retry_after
        self._backoff = wait_exponential_jitter(initial=backoff, max=max_backoff, jitter=backoff)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request_id = current_request_id()
        if request_id and REQUEST_ID_HEADER not in request.headers:
            request.headers[REQUEST_ID_HEADER] = request_id
        if self.retries == 0:
            return await self.transport.handle_async_request(request)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            retry=functools.partial(self._should_retry, request),
            wait=self._wait,
            before_sleep=functools.partial(self._before_sleep, request),
            # Out of attempts: hand back the last answer, or raise the last error.
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        response: httpx.Response = await retrying(self.transport.handle_async_request, request)
        return response

    def _should_retry(self, request: httpx.Request, state: RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None:  # pragma: no cover - tenacity always sets it before asking
            return False
        if outcome.failed:
            error = outcome.exception()
            if isinstance(error, _NOT_SENT):
                return True
            return isinstance(error, _MAYBE_SENT) and _can_resend(request)
        response: httpx.Response = outcome.result()
        if response.status_code not in RETRYABLE_STATUSES or not _can_resend(request):
            return False
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        # The server asks for a longer pause than we will hold the caller: let it decide.
        return retry_after is None or retry_after <= self.max_retry_after

    def _wait(self, state: RetryCallState) -> float:
        backoff = self._backoff(state)
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            retry_after = parse_retry_after(outcome.result().headers.get("Retry-After"))
            if retry_after is not None:
                return max(backoff, retry_after)
        return backoff

    async def _before_sleep(self, request: httpx.Request, state: RetryCallState) -> None:
        outcome = state.outcome
        reason: str
        if outcome is not None and outcome.failed:
            reason = type(outcome.exception()).__name__
        elif outcome is not None:
            response: httpx.Response = outcome.result()
            reason = str(response.status_code)
            await response.aclose()  # give its connection back before the next attempt
        else:  # pragma: no cover
            reason = "unknown"
        log.warning(
            "http.retry",
            method=request.method,
            host=request.url.host,
            path=request.url.path,  # no query string: it may carry tokens or personal data
            attempt=state.attempt_number,
            reason=reason,
            wait=round(state.upcoming_sleep, 3),
        )

    async def aclose(self) -> None:
        await self.transport.aclose()


def _can_resend(request: httpx.Request) -> bool:
    # A streamed body was consumed by the first attempt; only in-memory bodies replay.
    return request.method in IDEMPOTENT_METHODS and isinstance(request.stream, httpx.ByteStream)


def create_http_client(
    *,
    base_url: str | None = None,
    timeout: httpx.Timeout | float | None = None,
    retries: int = 2,
    headers: Mapping[str, str] | None = None,
    backoff: float = 0.2,
    max_backoff: float = 5.0,
    max_retry_after: float = 10.0,
    limits: httpx.Limits = DEFAULT_LIMITS,
    transport: httpx.AsyncBaseTransport | None = None,
    **client_options: Any,
) -> httpx.AsyncClient:
    """An AsyncClient whose every request carries the request ID and retries safely.

    `timeout` is a total per phase (connect, read, write, pool) when a number.
    `transport` replaces the network transport under the retries (e.g. for a proxy).
    """
    # Traced under the retries: each attempt is a client span carrying `traceparent`.
    inner = traced_transport(transport or httpx.AsyncHTTPTransport(limits=limits))
    return httpx.AsyncClient(
        base_url=base_url or "",
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        transport=RetryingTransport(
            inner,
            retries=retries,
            backoff=backoff,
            max_backoff=max_backoff,
            max_retry_after=max_retry_after,
        ),
        **client_options,
    )
