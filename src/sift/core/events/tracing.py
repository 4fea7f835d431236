"""Spans of the event bus: the relay's publish and a consumer's process, one trace with the
request (or task) that wrote the outbox row (docs/adr/0010-tracing.md).

The envelope keeps the `traceparent` of the span that wrote it; the relay's span is its
child and puts its own `traceparent` on the stream entry, which consumers continue (the
envelope's when an entry has none: one relayed by an untraced relay, or re-driven).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from sift.core.tracing import (
    context_from_traceparent,
    current_traceparent,
    tracer,
    tracing_enabled,
)

MESSAGING_SYSTEM = "redis"


def envelope_traceparent(envelope_json: str) -> str | None:
    """The `traceparent` an outbox row's envelope carries (the relay reads rows as text)."""
    try:
        value = json.loads(envelope_json).get("traceparent")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


class PublishSpans:
    """One producer span per relayed event that was written in a trace, open while the
    batch goes to the stream; `traceparents[i]` is what the i-th entry carries."""

    def __init__(self, rows: Sequence[Any], *, stream: str) -> None:
        self._spans: list[Span] = []
        self.traceparents: list[str | None] = [None] * len(rows)
        if not tracing_enabled():
            return
        for index, row in enumerate(rows):
            parent = context_from_traceparent(envelope_traceparent(row.envelope))
            if parent is None:
                continue  # an event nobody traced starts no trace here
            span = tracer().start_span(
                f"publish {row.type}",
                context=parent,
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": MESSAGING_SYSTEM,
                    "messaging.operation.type": "send",
                    "messaging.destination.name": stream,
                    "messaging.message.id": str(row.id),
                    "sift.event.type": row.type,
                },
            )
            self._spans.append(span)
            self.traceparents[index] = current_traceparent(trace.set_span_in_context(span))

    def __enter__(self) -> PublishSpans:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for span in self._spans:
            if exc is not None:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            span.end()


@contextmanager
def process_span(
    *, group: str, event_type: str, event_id: str, traceparents: Sequence[str | None]
) -> Iterator[None]:
    """A consumer span around one event's handler, in the trace of the first valid
    `traceparent` (the stream entry's, then the envelope's); none for an untraced event."""
    parent = None
    if tracing_enabled():
        parent = next(
            (c for c in map(context_from_traceparent, traceparents) if c is not None), None
        )
    if parent is None:
        yield
        return
    with tracer().start_as_current_span(
        f"process {event_type}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": MESSAGING_SYSTEM,
            "messaging.operation.type": "process",
            "messaging.consumer.group.name": group,
            "messaging.message.id": event_id,
            "sift.event.type": event_type,
        },
    ):
        yield
