"""One upload's trace across a real `sift up` stack, exported to a fake OTLP collector.

The stack runs with `SIFT_TRACING_ENABLED`: nginx's span (through `sift gateway spans`),
documents' request, the relay's publish, the search consumer, the ingest task (and the
relay's publish of `document.indexed`) must reach the collector as one trace, every span's
parent in it. Slow (a whole stack of its own): `make test-ops`.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_stack import Stack, new_stack
from tests.fakes.otlp import FakeCollector, ReceivedSpan, fake_collector

pytestmark = [pytest.mark.e2e, pytest.mark.ops, pytest.mark.timeout(1200)]

SERVER, CONSUMER, PRODUCER = 2, 5, 4  # OTLP's SpanKind numbers


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def traced() -> Iterator[tuple[Stack, FakeCollector]]:
    root = Path(tempfile.mkdtemp(prefix="sift-trace-"))
    with fake_collector() as collector:
        stack = new_stack(root)
        stack.env |= {
            "SIFT_TRACING_ENABLED": "true",
            "SIFT_TRACING_OTLP_ENDPOINT": collector.url,
            "SIFT_TRACING_GATEWAY_SPANS_PORT": str(free_udp_port()),
            "OTEL_BSP_SCHEDULE_DELAY": "200",  # the SDK's batch delay: the test waits less
        }
        stack.ready_timeout, stack.start_timeout = 400.0, 600.0
        try:
            stack.start()
            yield stack, collector
        finally:
            stack.kill()
            shutil.rmtree(root, ignore_errors=True)


def one(spans: list[ReceivedSpan], service: str, name: str) -> ReceivedSpan:
    found = [s for s in spans if s.service == service and s.name == name]
    assert found, (service, name, sorted({(s.service, s.name) for s in spans}))
    return found[0]


def wait_for_trace(collector: FakeCollector, trace_id: str, wanted: set[str]) -> list[ReceivedSpan]:
    """The trace's spans once every service in `wanted` sent one and no parent is missing."""
    deadline = time.monotonic() + 60
    while True:
        spans = collector.spans(trace_id=trace_id)
        ids = {s.span_id for s in spans}
        orphans = [s for s in spans if s.parent_span_id and s.parent_span_id not in ids]
        services = {s.service for s in spans}
        if wanted <= services and len(orphans) <= 1:  # the gateway's parent is the client's
            return spans
        assert time.monotonic() < deadline, (sorted(services), orphans)
        time.sleep(0.5)


def test_one_upload_is_one_trace_from_the_gateway_to_the_ingest_task(
    traced: tuple[Stack, FakeCollector],
) -> None:
    stack, collector = traced
    client = httpx.Client(verify=False, timeout=30)
    signup = client.post(
        f"{stack.base}/api/auth/signup",
        json={
            "email": f"trace-{uuid.uuid4().hex[:8]}@example.com",
            "password": "Traced-upload-2026!",
            "name": "Tracer",
        },
    )
    assert signup.status_code == 201, signup.text
    headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    collection = client.post(
        f"{stack.base}/api/collections", headers=headers, json={"name": "Traced"}
    )
    assert collection.status_code == 201, collection.text

    # The client sends no traceparent: the gateway starts the trace, named by its request ID.
    upload = client.post(
        f"{stack.base}/api/documents",
        headers=headers,
        data={"collection_id": collection.json()["id"], "title": "Harbor"},
        files={"file": ("harbor.txt", b"The harbor master logs every ship.\n", "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    trace_id = upload.headers["x-request-id"]
    assert len(trace_id) == 32

    deadline = time.monotonic() + 300
    while True:
        document = client.get(f"{stack.base}/api/documents/{upload.json()['id']}", headers=headers)
        if document.json()["status"] == "indexed":
            break
        assert document.json()["status"] != "failed", document.text
        assert time.monotonic() < deadline, document.text
        time.sleep(1)

    spans = wait_for_trace(
        collector, trace_id, {"gateway", "documents", "relay", "consume.search", "worker"}
    )
    gateway = one(spans, "gateway", "POST /api/documents")
    assert gateway.kind == SERVER and gateway.parent_span_id == ""
    assert gateway.attributes["sift.request_id"] == trace_id
    assert gateway.attributes["http.response.status_code"] == 201
    request = next(s for s in spans if s.service == "documents" and s.kind == SERVER)
    assert request.parent_span_id == gateway.span_id
    uploaded = one(spans, "relay", "publish document.uploaded")
    assert uploaded.kind == PRODUCER
    consumed = [
        s for s in spans if s.service == "consume.search" and s.name == "process document.uploaded"
    ]
    assert consumed and all(s.parent_span_id == uploaded.span_id for s in consumed)
    assert consumed[0].attributes["messaging.consumer.group.name"].startswith("search")
    ingest = [s for s in spans if s.service == "worker" and s.name.startswith("run/search.ingest")]
    assert ingest, sorted({(s.service, s.name) for s in spans})
    # The task's own event continues the trace: the upload can be followed to `indexed`.
    one(spans, "relay", "publish document.indexed")

    # Log lines written inside those spans carry the trace's ID.
    traced_lines = [
        line for line in log_lines(stack) if trace_id in (line.get("trace.id"), nested(line))
    ]
    assert traced_lines, "no log line carries the trace ID"


def log_lines(stack: Stack) -> Iterator[dict[str, object]]:
    for text in stack.log_text().splitlines():
        _, _, body = text.partition(" | ")
        try:
            line = json.loads(body)
        except ValueError:
            continue
        if isinstance(line, dict):
            yield line


def nested(line: dict[str, object]) -> object:
    trace = line.get("trace")
    return trace.get("id") if isinstance(trace, dict) else None


def test_the_gateway_continues_a_callers_traceparent(traced: tuple[Stack, FakeCollector]) -> None:
    stack, collector = traced
    trace_id, parent = secrets.token_hex(16), secrets.token_hex(8)
    response = httpx.get(
        f"{stack.base}/api/documents/{uuid.uuid4()}",
        headers={"traceparent": f"00-{trace_id}-{parent}-01"},
        verify=False,
    )
    assert response.status_code == 401  # no token; traced all the same
    spans = wait_for_trace(collector, trace_id, {"gateway", "documents"})
    gateway = next(s for s in spans if s.service == "gateway")
    assert gateway.parent_span_id == parent
    request = next(s for s in spans if s.service == "documents" and s.kind == SERVER)
    assert request.parent_span_id == gateway.span_id
