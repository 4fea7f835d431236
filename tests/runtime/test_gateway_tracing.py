"""The gateway's part of a trace: nginx passes a `traceparent` naming its own span, and
`sift gateway spans` exports that span (from nginx's span log line) to an OTLP collector."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from sift.core.config import CoreSettings
from sift.core.tracing import TracingSettings
from sift.runtime.gateway import GatewaySettings, check_config, prepare_gateway
from sift.runtime.gateway.spans import run_span_forwarder, span_from_line
from tests.fakes.otlp import FakeCollector, ReceivedSpan, fake_collector
from tests.runtime.gateway_helpers import layouts_on, render
from tests.runtime.test_gateway_nginx import echo_port as echo_port
from tests.runtime.test_gateway_nginx import serve_gateway

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$")


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_without_tracing_the_gateway_config_has_none_of_it(core: CoreSettings) -> None:
    config = render(core, GatewaySettings())
    assert "traceparent" not in config and "sift_span" not in config


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [("1", 'default "01"'), ("0", 'default "00"'), ("0.25", '25% "01"')],
)
def test_the_sample_ratio_decides_new_traces_and_the_config_passes_nginx_t(
    core: CoreSettings, monkeypatch: pytest.MonkeyPatch, ratio: str, expected: str
) -> None:
    monkeypatch.setenv("SIFT_TRACING_ENABLED", "true")
    monkeypatch.setenv("SIFT_TRACING_SAMPLE_RATIO", ratio)
    gateway = GatewaySettings(api_docs=False)
    paths = prepare_gateway(core, gateway, layouts_on(9100))
    config = paths.config.read_text()
    assert expected in config
    assert (
        'proxy_set_header traceparent "00-$sift_trace_id-$sift_span_id-$sift_trace_flags";'
        in config
    )
    check_config(gateway, paths)


def test_a_span_line_becomes_a_server_span_with_its_ids_and_times() -> None:
    trace_id, span_id, parent = secrets.token_hex(16), secrets.token_hex(8), secrets.token_hex(8)
    line = (
        f'<190>Dec  5 03:30:00 sift_span: {{"trace_id":"{trace_id}","span_id":"{span_id}",'
        f'"parent_span_id":"{parent}","flags":"01","end":1764905400.250,"duration_s":0.125,'
        '"method":"POST","path":"/api/documents","status":502,"host":"localhost",'
        '"upstream":"127.0.0.1:9101","request_id":"abc"}'
    )
    span = span_from_line(line)
    assert span is not None and span.parent is not None
    assert (span.context.trace_id, span.context.span_id) == (int(trace_id, 16), int(span_id, 16))
    assert span.parent.span_id == int(parent, 16)
    assert span.name == "POST /api/documents"
    assert (span.start_time, span.end_time) == (1764905400125000000, 1764905400250000000)
    assert span.status.is_ok is False
    assert span.resource.attributes["service.name"] == "gateway"
    for broken in ("", "<190>no json", '{"trace_id":"00"}', line.replace(trace_id, "0" * 32)):
        assert span_from_line(broken) is None


@contextlib.asynccontextmanager
async def forwarding(collector: FakeCollector, port: int) -> AsyncIterator[None]:
    settings = TracingSettings(enabled=True, otlp_endpoint=collector.url, gateway_spans_port=port)
    stop = asyncio.Event()
    task = asyncio.create_task(run_span_forwarder(settings, stop))
    await asyncio.sleep(0.2)  # bound before nginx sends
    try:
        yield
    finally:
        stop.set()
        await task  # shuts the exporter down: what it holds is sent


async def test_nginx_passes_its_span_as_the_parent_and_the_forwarder_exports_it(
    core: CoreSettings, echo_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_udp_port()
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")  # the SDK's batch delay
    monkeypatch.setenv("SIFT_TRACING_ENABLED", "true")
    monkeypatch.setenv("SIFT_TRACING_GATEWAY_SPANS_PORT", str(port))
    trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)
    with fake_collector() as collector:
        async with forwarding(collector, port), serve_gateway(core, echo_port) as gateway:
            async with httpx.AsyncClient(verify=False) as client:
                continued = await client.get(
                    f"{gateway.https}/api/users/me",
                    headers={"traceparent": f"00-{trace_id}-{client_span}-01"},
                )
                started = await client.get(f"{gateway.https}/api/users/me")
                unsampled = await client.get(
                    f"{gateway.https}/api/users/me",
                    headers={"traceparent": f"00-{secrets.token_hex(16)}-{client_span}-00"},
                )
            deadline = time.monotonic() + 10
            while len(collector.spans()) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)

    # A caller's trace goes on; the upstream's parent is the gateway's span.
    match = TRACEPARENT.match(continued.json()["headers"]["traceparent"])
    assert match is not None and match.groups()[0::2] == (trace_id, "01")
    gateway_span = match.group(2)
    # Without one, the gateway starts a trace named by its request ID.
    new = TRACEPARENT.match(started.json()["headers"]["traceparent"])
    assert new is not None and new.group(1) == started.headers["x-request-id"]
    assert unsampled.json()["headers"]["traceparent"].endswith("-00")

    received: list[ReceivedSpan] = collector.spans()
    assert {span.trace_id for span in received} == {trace_id, new.group(1)}  # not the unsampled
    [span] = collector.spans(trace_id=trace_id)
    assert (span.service, span.name, span.kind) == ("gateway", "GET /api/users/me", 2)
    assert (span.span_id, span.parent_span_id) == (gateway_span, client_span)
    assert span.attributes["http.response.status_code"] == 200
