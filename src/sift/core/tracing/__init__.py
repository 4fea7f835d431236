"""OpenTelemetry tracing, off by default (`SIFT_TRACING_ENABLED`).

One W3C `traceparent` follows an upload from the gateway through the service, the internal
HTTP client, the outbox, the relay, the consumers and the Celery tasks they send; spans go
to an OTLP/HTTP collector. Why some of it is hand-written: docs/adr/0010-tracing.md.

- `settings`: `SIFT_TRACING_*`; `setup`: the process's tracer provider and the official
  instrumentations (FastAPI, httpx, Celery); `propagation`: `traceparent` to and from a
  string, for the event envelope and the stream entry; `logs`: trace IDs in log lines.
"""

from sift.core.tracing.logs import add_trace_ids
from sift.core.tracing.propagation import (
    attached,
    context_from_traceparent,
    current_context,
    current_traceparent,
    run_in_current_context,
)
from sift.core.tracing.settings import TracingSettings
from sift.core.tracing.setup import (
    configure_tracing,
    flush_tracing,
    instrument_app,
    span_exporter,
    traced_transport,
    tracer,
    tracing_enabled,
)

__all__ = [
    "TracingSettings",
    "add_trace_ids",
    "attached",
    "configure_tracing",
    "context_from_traceparent",
    "current_context",
    "current_traceparent",
    "flush_tracing",
    "instrument_app",
    "run_in_current_context",
    "span_exporter",
    "traced_transport",
    "tracer",
    "tracing_enabled",
]
