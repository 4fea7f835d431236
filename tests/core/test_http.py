"""Outgoing HTTP client: retries, backoff, Retry-After, request IDs, against a real server."""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import structlog
from structlog.testing import capture_logs

from sift.core.http import (
    DEFAULT_TIMEOUT,
    RetryingTransport,
    create_http_client,
    parse_retry_after,
)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Script:
    """What the server answers, in order, then 200s.

    "drop" closes the connection without an answer; "slow" answers after 0.6 s.
    """

    answers: deque[tuple[int, dict[str, str]] | str] = field(default_factory=deque)
    seen: list[Seen] = field(default_factory=list)

    def answer(self, *answers: tuple[int, dict[str, str]] | str) -> None:
        self.answers.extend(answers)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    script: Script

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding") == "chunked":
            body = self._read_chunked()
        self.script.seen.append(
            Seen(self.command, self.path, dict(self.headers.items()), body, time.monotonic())
        )
        answer = self.script.answers.popleft() if self.script.answers else (200, {})
        if answer == "drop":
            self.close_connection = True
            return
        if answer == "slow":
            time.sleep(0.6)
            answer = (200, {})
        assert isinstance(answer, tuple)
        status, headers = answer
        payload = f"attempt {len(self.script.seen)}".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _read_chunked(self) -> bytes:
        data = b""
        while True:
            size = int(self.rfile.readline().strip(), 16)
            if size == 0:
                self.rfile.readline()
                return data
            data += self.rfile.read(size)
            self.rfile.readline()

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out and left is part of the tests


def serve(script: Script, port: int = 0) -> Server:
    handler = type("ScriptedHandler", (Handler,), {"script": script})
    server = Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server


@pytest.fixture
def script() -> Iterator[Script]:
    yield Script()


@pytest.fixture
def base_url(script: Script) -> Iterator[str]:
    server = serve(script)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with create_http_client(base_url=base_url, retries=3, backoff=0.05) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_idempotent_requests_retry_gateway_errors_with_growing_waits(
    client: httpx.AsyncClient, script: Script
) -> None:
    script.answer((503, {}), (502, {}), (504, {}))
    with capture_logs() as logs:
        response = await client.get("/thing?token=secret")
    assert response.status_code == 200
    assert response.text == "attempt 4"
    gaps = [b.at - a.at for a, b in zip(script.seen, script.seen[1:], strict=False)]
    # multiplier 0.05: waits of 0.05, 0.1, 0.2 plus up to 0.05 of jitter each
    assert 0.05 <= gaps[0] < 0.2
    assert 0.1 <= gaps[1] < 0.3
    assert 0.2 <= gaps[2] < 0.45
    retries = [entry for entry in logs if entry["event"] == "http.retry"]
    assert [entry["reason"] for entry in retries] == ["503", "502", "504"]
    assert all("secret" not in str(entry) for entry in retries)  # no query strings logged


async def test_non_idempotent_requests_are_not_retried_on_gateway_errors(
    client: httpx.AsyncClient, script: Script
) -> None:
    script.answer((503, {}))
    response = await client.post("/orders", json={"n": 1})
    assert response.status_code == 503
    assert len(script.seen) == 1


async def test_idempotent_request_body_is_sent_again(
    client: httpx.AsyncClient, script: Script
) -> None:
    script.answer((503, {}))
    response = await client.put("/doc", content=b"payload")
    assert response.status_code == 200
    assert [seen.body for seen in script.seen] == [b"payload", b"payload"]


async def test_streamed_bodies_are_not_resent(client: httpx.AsyncClient, script: Script) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"streamed"

    script.answer((503, {}))
    response = await client.put("/doc", content=body())
    assert response.status_code == 503
    assert len(script.seen) == 1


async def test_other_statuses_are_not_retried(client: httpx.AsyncClient, script: Script) -> None:
    script.answer((500, {}), (429, {}))
    assert (await client.get("/")).status_code == 500
    assert (await client.get("/")).status_code == 429
    assert len(script.seen) == 2


async def test_retry_after_is_honoured(client: httpx.AsyncClient, script: Script) -> None:
    script.answer((503, {"Retry-After": "1"}))
    response = await client.get("/")
    assert response.status_code == 200
    assert script.seen[1].at - script.seen[0].at >= 1.0


async def test_too_long_retry_after_returns_the_answer(
    client: httpx.AsyncClient, script: Script
) -> None:
    script.answer((503, {"Retry-After": "120"}))
    started = time.monotonic()
    response = await client.get("/")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "120"
    assert time.monotonic() - started < 1.0
    assert len(script.seen) == 1


async def test_out_of_attempts_returns_the_last_answer(base_url: str, script: Script) -> None:
    script.answer(*[(502, {})] * 10)
    async with create_http_client(base_url=base_url, retries=2, backoff=0.01) as client:
        response = await client.get("/")
    assert response.status_code == 502
    assert response.text == "attempt 3"
    assert len(script.seen) == 3


async def test_dropped_connections_retry_only_idempotent_requests(
    client: httpx.AsyncClient, script: Script
) -> None:
    script.answer("drop")
    assert (await client.get("/")).status_code == 200
    assert len(script.seen) == 2
    script.answer("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/", content=b"x")
    assert len(script.seen) == 3


async def test_connect_errors_are_retried_for_every_method(script: Script) -> None:
    port = free_port()
    servers: list[Server] = []

    def start_late() -> None:
        time.sleep(0.3)  # the first attempts find nobody listening
        servers.append(serve(script, port))

    threading.Thread(target=start_late, daemon=True).start()
    async with create_http_client(
        base_url=f"http://127.0.0.1:{port}", retries=6, backoff=0.1, max_backoff=0.3
    ) as client:
        response = await client.post("/orders", json={"n": 1})
    assert response.status_code == 200
    assert len(script.seen) == 1  # the POST reached the server exactly once
    for server in servers:
        server.shutdown()
        server.server_close()


async def test_connect_errors_raise_once_attempts_run_out() -> None:
    async with create_http_client(
        base_url=f"http://127.0.0.1:{free_port()}", retries=2, backoff=0.01
    ) as client:
        with capture_logs() as logs, pytest.raises(httpx.ConnectError):
            await client.get("/")
    assert [entry["reason"] for entry in logs if entry["event"] == "http.retry"] == [
        "ConnectError",
        "ConnectError",
    ]


async def test_no_retries_means_one_attempt(base_url: str, script: Script) -> None:
    script.answer((503, {}))
    async with create_http_client(base_url=base_url, retries=0) as client:
        assert (await client.get("/")).status_code == 503
    assert len(script.seen) == 1


async def test_request_id_is_propagated(client: httpx.AsyncClient, script: Script) -> None:
    await client.get("/")
    structlog.contextvars.bind_contextvars(request_id="req-1234567890")
    try:
        await client.get("/")
        await client.get("/", headers={"X-Request-ID": "explicit-id-1"})
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    ids = [seen.headers.get("X-Request-ID") for seen in script.seen]
    assert ids == [None, "req-1234567890", "explicit-id-1"]
    assert script.seen[0].headers["User-Agent"].startswith("sift/")


async def test_request_id_reaches_retried_attempts(
    client: httpx.AsyncClient, script: Script
) -> None:
    script.answer((503, {}))
    structlog.contextvars.bind_contextvars(request_id="req-abcdefgh")
    try:
        await client.get("/")
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    assert [seen.headers.get("X-Request-ID") for seen in script.seen] == ["req-abcdefgh"] * 2


async def test_factory_options(base_url: str, script: Script) -> None:
    async with create_http_client(base_url=base_url, headers={"X-Service": "search"}) as client:
        assert client.timeout == DEFAULT_TIMEOUT
        assert isinstance(client._transport, RetryingTransport)
        await client.get("/path")
    assert script.seen[0].headers["X-Service"] == "search"
    async with create_http_client(timeout=1.5) as client:
        assert client.timeout == httpx.Timeout(1.5)
    with pytest.raises(ValueError):
        create_http_client(retries=-1)


async def test_read_timeouts_are_not_retried(base_url: str, script: Script) -> None:
    script.answer("slow")
    async with create_http_client(base_url=base_url, timeout=0.2, backoff=0.01) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/")
    assert len(script.seen) == 1


def test_parse_retry_after() -> None:
    now = time.time()
    later = format_datetime(datetime.fromtimestamp(now, UTC) + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after("7") == 7.0
    assert 28 <= (parse_retry_after(later, now=now) or 0) <= 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
