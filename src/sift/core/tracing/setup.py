"""The process's tracer provider and the official instrumentations, when tracing is on.

Each process calls `configure_tracing` once with its name (`documents`, `worker`, `relay`,
`consume.search`, `scheduler`): that name is the spans' `service.name`. Off (the default),
nothing is installed and the OpenTelemetry API stays its no-op self.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

import httpx
import structlog
from opentelemetry import trace

from sift.core.tracing.settings import TracingSettings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

log = structlog.get_logger()

TRACER_NAME = "sift"
# Probes and scrapes would be most of the spans and tell nothing.
EXCLUDED_URLS = "/healthz,/readyz,/metrics"


@dataclass
class _State:
    provider: TracerProvider | None = None


_state = _State()


def tracing_enabled() -> bool:
    """Whether this process exports spans (`configure_tracing` ran with tracing on)."""
    return _state.provider is not None


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def service_resource(service: str) -> Resource:
    from opentelemetry.sdk.resources import Resource

    try:
        version = metadata.version("sift")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source tree run as is
        version = "0"
    return Resource.create(
        {"service.name": service, "service.namespace": "sift", "service.version": version}
    )


def span_exporter(settings: TracingSettings) -> SpanExporter:
    """OTLP over HTTP (protobuf); `OTEL_EXPORTER_OTLP_HEADERS` adds headers (an API key)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=settings.traces_url, timeout=settings.export_timeout_seconds)


def configure_tracing(service: str, settings: TracingSettings | None = None) -> bool:
    """Installs the tracer provider of this process (once); False when tracing is off."""
    settings = settings or TracingSettings()
    if not settings.enabled:
        return False
    if _state.provider is not None:
        return True  # one provider per process: the first name stays
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = TracerProvider(
        resource=service_resource(service),
        # A request that comes with a decision (the gateway's flag) keeps it.
        sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
    )
    # Batches leave from a thread; it is restarted in forked children (Celery's pool).
    provider.add_span_processor(BatchSpanProcessor(span_exporter(settings)))
    trace.set_tracer_provider(provider)
    _state.provider = provider
    _instrument_celery()
    log.info(
        "tracing.enabled",
        service=service,
        endpoint=settings.traces_url,
        sample_ratio=settings.sample_ratio,
    )
    return True


def flush_tracing(timeout_millis: int = 5000) -> None:
    """Exports what is buffered now (before a process that cannot wait for a batch exits)."""
    if _state.provider is not None:
        _state.provider.force_flush(timeout_millis)


def _instrument_celery() -> None:
    # Every process may send tasks (services, consumers, scheduler) and workers run them:
    # the instrumentation carries `traceparent` in the message headers both ways.
    from celery import signals
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    instrumentor = CeleryInstrumentor()  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
    # A pool child leaves through os._exit, without atexit: export its last spans first.
    signals.worker_process_shutdown.connect(_flush_on_exit, weak=False)


def _flush_on_exit(**_: Any) -> None:
    flush_tracing()


def instrument_app(app: FastAPI, service: str) -> bool:
    """A server span per request, continuing the caller's `traceparent` (the gateway's)."""
    if not configure_tracing(service):
        return False
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # No span per ASGI message: a streamed upload would make thousands.
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=EXCLUDED_URLS, exclude_spans=["receive", "send"]
    )
    return True


def traced_transport(transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
    """`transport` with a client span per attempt that sends `traceparent`; as is when off."""
    if not tracing_enabled():
        return transport
    from opentelemetry.instrumentation.httpx import AsyncOpenTelemetryTransport

    return AsyncOpenTelemetryTransport(transport)
