"""`traceparent` as a string, for the carriers no instrumentation knows: the outbox row's
envelope and the Redis Stream entry (see docs/adr/0010-tracing.md)."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

T = TypeVar("T")
TRACEPARENT = "traceparent"
_propagator = TraceContextTextMapPropagator()


def current_traceparent(context: Context | None = None) -> str | None:
    """The W3C `traceparent` of the current span (or of `context`); None outside a valid
    span, so that untraced processes write nothing."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=context)
    return carrier.get(TRACEPARENT)


def context_from_traceparent(traceparent: str | None) -> Context | None:
    """The context to start a child span in; None for a missing or malformed value."""
    if not traceparent:
        return None
    context = _propagator.extract({TRACEPARENT: traceparent})
    return context if current_traceparent(context) else None


def current_context() -> Context:
    """The active context, to resume later (after a commit, in another thread)."""
    return otel_context.get_current()


def run_in_current_context(runner: asyncio.Runner, coro: Coroutine[Any, Any, T]) -> T:
    """`runner.run(coro)` in the caller's context as it is now (a task's span, its log
    bindings): left alone, an asyncio.Runner reuses the context of its first run."""
    return runner.run(coro, context=contextvars.copy_context())


@contextmanager
def attached(context: Context | None) -> Iterator[None]:
    """Runs the block in `context` (a captured one); a None context changes nothing."""
    if context is None:
        yield
        return
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)
