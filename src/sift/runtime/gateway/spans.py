"""`sift gateway spans`: the gateway's spans, from nginx's span log lines to OTLP.

Debian's nginx has no OpenTelemetry module, so when tracing is on the gateway sends one
JSON line per sampled request (trace and span IDs, parent, timing, status; see the
`sift_span` log format in deploy/nginx/sift.conf.j2) as syslog over UDP to this process,
which turns each line into a server span with exactly those IDs and times and exports it
with the OpenTelemetry SDK. Why: docs/adr/0010-tracing.md.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from sift.core.tracing import TracingSettings, span_exporter
from sift.core.tracing.setup import service_resource

log = structlog.get_logger()

SERVICE_NAME = "gateway"
_SCOPE = InstrumentationScope("sift.gateway")
_RESOURCE = service_resource(SERVICE_NAME)


def _hex(value: Any, digits: int) -> int | None:
    if not isinstance(value, str) or len(value) != digits:
        return None
    try:
        number = int(value, 16)
    except ValueError:
        return None
    return number or None  # all zeros is W3C's "invalid"


def span_from_line(line: str) -> ReadableSpan | None:
    """The span a `sift_span` line describes (after any syslog header); None if malformed."""
    start = line.find("{")
    try:
        # Decimal: nginx's times have 3 decimals, which a float would round off by a hair.
        fields = json.loads(line[start:], parse_float=Decimal) if start >= 0 else None
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        return None
    trace_id, span_id = _hex(fields.get("trace_id"), 32), _hex(fields.get("span_id"), 16)
    flags = _hex(fields.get("flags"), 2) or 0
    if trace_id is None or span_id is None:
        return None
    parent_id = _hex(fields.get("parent_span_id"), 16)
    parent = (
        SpanContext(trace_id, parent_id, is_remote=True, trace_flags=TraceFlags(flags))
        if parent_id is not None
        else None
    )
    try:
        end = int(Decimal(fields["end"]) * 10**9)
        duration = int(Decimal(fields["duration_s"]) * 10**9)
        status = int(fields["status"])
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    method, path = str(fields.get("method", "")), str(fields.get("path", ""))
    return ReadableSpan(
        name=f"{method} {path}".strip(),
        context=SpanContext(trace_id, span_id, is_remote=False, trace_flags=TraceFlags(flags)),
        parent=parent,
        resource=_RESOURCE,
        attributes={
            "http.request.method": method,
            "url.path": path,
            "http.response.status_code": status,
            "server.address": str(fields.get("host", "")),
            "sift.upstream": str(fields.get("upstream", "")),
            "sift.request_id": str(fields.get("request_id", "")),
        },
        kind=SpanKind.SERVER,
        status=Status(StatusCode.ERROR) if status >= 500 else Status(StatusCode.UNSET),
        start_time=end - duration,
        end_time=end,
        instrumentation_scope=_SCOPE,
    )


class SpanLineReceiver(asyncio.DatagramProtocol):
    """One syslog datagram per line; each valid line goes to `processor`."""

    def __init__(self, processor: SpanProcessor) -> None:
        self.processor = processor
        self.received = 0
        self.malformed = 0

    def datagram_received(self, data: bytes, addr: Any) -> None:
        span = span_from_line(data.decode("utf-8", errors="replace"))
        if span is None:
            self.malformed += 1
            log.warning("gateway_spans.malformed", line=data[:200].decode(errors="replace"))
            return
        self.received += 1
        self.processor.on_end(span)


async def run_span_forwarder(settings: TracingSettings, stop: asyncio.Event) -> None:
    """Receives the gateway's span lines until `stop` is set, then exports what is left."""
    processor = BatchSpanProcessor(span_exporter(settings))
    loop = asyncio.get_running_loop()
    transport, receiver = await loop.create_datagram_endpoint(
        lambda: SpanLineReceiver(processor),
        local_addr=(settings.gateway_spans_host, settings.gateway_spans_port),
    )
    log.info(
        "gateway_spans.started",
        address=f"{settings.gateway_spans_host}:{settings.gateway_spans_port}",
        endpoint=settings.traces_url,
    )
    try:
        await stop.wait()
    finally:
        transport.close()
        processor.shutdown()  # type: ignore[no-untyped-call]
        log.info("gateway_spans.stopped", spans=receiver.received, malformed=receiver.malformed)
