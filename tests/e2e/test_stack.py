"""The real stack: `sift up` in a subprocess, driven over HTTPS through the nginx gateway.

One stack runs for the module, on free ports beside any developer's stack, with its
own data directory and Redis prefix; the last test stops it with SIGINT, checks that
nothing is left behind, and starts it again on the same data directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from sift import SERVICES
from sift.runtime.embedded_postgres import free_port
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.e2e

READY_LINE = "Sift is up: "
START_TIMEOUT = 300.0  # 20+ processes on two cores: slow when the host is busy
STOP_TIMEOUT = 45.0
MAX_BODY = 1024 * 1024


def consecutive_free_ports(count: int) -> int:
    """A first port such that it and the next `count - 1` are free."""
    for _ in range(200):
        first = free_port()
        if first + count > 65535:
            continue
        sockets = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port))
                sockets.append(sock)
            return first
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no run of free ports")


@dataclass
class Stack:
    data_dir: Path
    env: dict[str, str]
    https_port: int
    http_port: int
    pg_port: int
    service_ports: dict[str, list[int]]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0
    certificates: list[str] = field(default_factory=list)
    ready_timeout: float = 100.0  # `sift up --ready-timeout`
    start_timeout: float = START_TIMEOUT

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def all_ports(self) -> list[int]:
        ports = [self.https_port, self.http_port, self.pg_port]
        return ports + [port for group in self.service_ports.values() for port in group]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def start(self) -> None:
        self.runs += 1
        with self.log.open("ab") as out:
            out.write(f"\n===== run {self.runs} =====\n".encode())
            offset = out.tell()
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sift.runtime",
                    "up",
                    "--no-web",
                    "--ready-timeout",
                    str(self.ready_timeout),
                ],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_timeout
        while READY_LINE not in self.log_text()[offset:]:
            if self.process.poll() is not None:
                pytest.fail(f"sift up exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"sift up was not ready in {self.start_timeout} s:\n{self.tail()}")
            time.sleep(0.2)
        self.certificates.append(ssl.get_server_certificate(("127.0.0.1", self.https_port)))

    def descendants(self) -> list[psutil.Process]:
        assert self.process is not None
        children: list[psutil.Process] = psutil.Process(self.process.pid).children(recursive=True)
        return children

    def postmaster_pid(self) -> int | None:
        pid_file = self.data_dir / "postgres" / "pgdata" / "postmaster.pid"
        try:
            return int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def interrupt(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(STOP_TIMEOUT)

    def kill(self) -> None:
        """Teardown after a failure: nothing of the stack may outlive the test."""
        if self.process is not None and self.process.poll() is None:
            leftovers = self.descendants()
            os.killpg(self.process.pid, signal.SIGKILL)
            for child in leftovers:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(child.pid, signal.SIGKILL)
            self.process.wait(10)
        from sift.runtime.embedded_postgres import EmbeddedPostgres

        EmbeddedPostgres(self.data_dir / "postgres", self.pg_port).stop(quiet=True)

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def new_stack(root: Path) -> Stack:
    """A stack's settings on free ports, its data under `root` (not started)."""
    identity_port = consecutive_free_ports(2)  # two replicas behind one upstream
    ports = {name: [free_port()] for name in SERVICES if name != "identity"}
    ports["identity"] = [identity_port, identity_port + 1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SIFT_DATABASE_URL")}
    https_port, http_port, pg_port = free_port(), free_port(), free_port()
    # The worker's, scheduler's, relay's and consumers' metrics: a run of free ports.
    metrics_port = consecutive_free_ports(12)
    env |= {
        "SIFT_ENV": "test",
        "SIFT_LOG_JSON": "true",
        "SIFT_LOG_CONSOLE": "1",  # the tests read the processes' lines (access log) here
        "SIFT_DATA_DIR": str(root / "data"),
        "SIFT_EMBEDDED_PG_PORT": str(pg_port),
        "SIFT_REDIS_URL": REDIS_URL,
        "SIFT_REDIS_PREFIX": f"sift-e2e:{uuid.uuid4().hex[:8]}:",
        "SIFT_GATEWAY_HTTPS_PORT": str(https_port),
        "SIFT_GATEWAY_HTTP_PORT": str(http_port),
        "SIFT_GATEWAY_MAX_BODY_BYTES": str(MAX_BODY),
        "SIFT_GATEWAY_WORKER_PROCESSES": "1",
        "SIFT_GATEWAY_AUTH_RATE": "60r/m",
        "SIFT_GATEWAY_AUTH_BURST": "2",
        "SIFT_IDENTITY_REPLICAS": "2",
        "SIFT_METRICS_FIRST_PORT": str(metrics_port),
    }
    for name, group in ports.items():
        env[f"SIFT_{name.upper()}_PORT"] = str(group[0])
    return Stack(
        data_dir=root / "data",
        env=env,
        https_port=https_port,
        http_port=http_port,
        pg_port=pg_port,
        service_ports=ports,
        log=root / "sift-up.log",
    )


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # Not pytest's tmp_path: a pytest session starting elsewhere on this machine resets
    # /tmp/pytest-of-<user> to 0700, locking the embedded PostgreSQL out of its data.
    root = Path(tempfile.mkdtemp(prefix="sift-e2e-"))
    stack = new_stack(root)
    try:
        stack.start()
        yield stack
    finally:
        stack.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(verify=False, timeout=10) as client:
        yield client


def process_gone(pid: int, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def assert_gateway_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_every_service_answers_through_the_gateway(stack: Stack, client: httpx.Client) -> None:
    for name in SERVICES:
        response = client.get(f"{stack.base}/api/{name}/healthz")
        assert response.status_code == 200, (name, response.text)
        assert response.json() == {"status": "ok", "service": name}
        ready = client.get(f"{stack.base}/api/{name}/readyz")
        assert ready.status_code == 200, (name, ready.text)


def test_both_identity_replicas_take_traffic(stack: Stack, client: httpx.Client) -> None:
    ids = [f"balance-{uuid.uuid4().hex}" for _ in range(8)]
    for request_id in ids:
        client.get(f"{stack.base}/api/identity/healthz", headers={"X-Request-ID": request_id})
    time.sleep(0.3)  # the access log is written after the response
    upstreams = set()
    for line in stack.log_text().splitlines():
        if any(request_id in line for request_id in ids) and '"http.request"' in line:
            upstreams.add(json.loads(line.split(" | ", 1)[1])["sift.upstream"])
    assert upstreams == {f"127.0.0.1:{port}" for port in stack.service_ports["identity"]}


def test_https_headers_and_request_ids(stack: Stack, client: httpx.Client) -> None:
    given = client.get(
        f"{stack.base}/api/search/healthz", headers={"X-Request-ID": "e2e-request-0001"}
    )
    made = client.get(f"{stack.base}/api/search/healthz")
    assert given.headers.get_list("x-request-id") == ["e2e-request-0001"]
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    hsts = given.headers.get_list("strict-transport-security")
    assert len(hsts) == 1 and hsts[0].startswith("max-age=")
    assert given.headers["x-content-type-options"] == "nosniff"
    assert given.headers["x-frame-options"] == "DENY"
    assert given.http_version in ("HTTP/1.1", "HTTP/2")


def test_http_redirects_to_https(stack: Stack, client: httpx.Client) -> None:
    response = client.get(
        f"http://127.0.0.1:{stack.http_port}/api/audit/healthz?x=1",
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 301
    # The public URL (by default localhost on the gateway's port), never the Host header.
    assert response.headers["location"] == (
        f"https://localhost:{stack.https_port}/api/audit/healthz?x=1"
    )
    assert "x-request-id" in response.headers


def test_unknown_paths_are_the_gateways_404(stack: Stack, client: httpx.Client) -> None:
    for path in ("/api/nope", "/api/searchx", "/nothing/here"):
        body = assert_gateway_problem(client.get(f"{stack.base}{path}"), 404)
        assert body["type"] == "https://sift.dev/problems/not-found"


def test_oversized_bodies_are_refused_with_413(stack: Stack, client: httpx.Client) -> None:
    response = client.post(f"{stack.base}/api/notifications/healthz", content=b"x" * (MAX_BODY + 1))
    assert_gateway_problem(response, 413)


def test_login_is_rate_limited_at_the_gateway(stack: Stack, client: httpx.Client) -> None:
    statuses = [client.post(f"{stack.base}/api/auth/login", json={}).status_code for _ in range(6)]
    assert 429 in statuses
    limited = client.post(f"{stack.base}/api/auth/login", json={})
    body = assert_gateway_problem(limited, 429)
    assert body["title"] == "Too many requests"
    assert "retry-after" in limited.headers


def test_a_stopped_upstream_is_a_502_and_comes_back(stack: Stack, client: httpx.Client) -> None:
    port = stack.service_ports["audit"][0]
    audit = next(
        child
        for child in stack.descendants()
        if "serve" in child.cmdline() and "audit" in child.cmdline()
    )
    audit.kill()
    deadline = time.monotonic() + 10
    while True:
        response = client.get(f"{stack.base}/api/audit/healthz")
        if response.status_code == 502:
            break
        assert time.monotonic() < deadline, "no 502 while audit was down"
        time.sleep(0.05)
    assert_gateway_problem(response, 502)
    # The supervisor restarts it (after its backoff) and the gateway finds it again.
    deadline = time.monotonic() + 60
    while client.get(f"{stack.base}/api/audit/healthz").status_code != 200:
        assert time.monotonic() < deadline, f"audit did not come back:\n{stack.tail()}"
        time.sleep(0.25)
    assert '"supervisor.child_died"' in stack.log_text()
    assert any(port == c.laddr.port for c in psutil.net_connections("tcp") if c.laddr)


def test_sigint_stops_everything_and_a_second_run_reuses_the_data(
    stack: Stack, client: httpx.Client
) -> None:
    database = f"postgresql://postgres@127.0.0.1:{stack.pg_port}/sift"
    marker = uuid.uuid4().hex
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS public.e2e_marker (value text)")
        connection.execute("INSERT INTO public.e2e_marker VALUES (%s)", (marker,))
    certificate = (stack.data_dir / "gateway" / "tls" / "cert.pem").read_bytes()

    children = stack.descendants()
    postmaster = stack.postmaster_pid()
    assert postmaster is not None
    assert len(children) >= 10  # 7 uvicorns, scheduler, nginx (+ its worker), ...
    started = time.monotonic()
    assert stack.interrupt() == 0
    stop_seconds = time.monotonic() - started
    _, alive = psutil.wait_procs(children, timeout=5)
    assert alive == [], f"left behind: {[p.pid for p in alive]}"
    assert process_gone(postmaster, timeout=5)
    assert not (stack.data_dir / "postgres" / "pgdata" / "postmaster.pid").exists()
    from sift.runtime.infra import ports_in_use

    assert ports_in_use("127.0.0.1", stack.all_ports) == []
    assert stop_seconds < STOP_TIMEOUT

    stack.start()
    with psycopg.connect(database) as connection:
        rows = connection.execute("SELECT value FROM public.e2e_marker").fetchall()
    assert (marker,) in rows
    assert (stack.data_dir / "gateway" / "tls" / "cert.pem").read_bytes() == certificate
    assert stack.certificates[0] == stack.certificates[1]  # the one the gateway serves
    assert client.get(f"{stack.base}/api/documents/healthz").status_code == 200
    assert stack.interrupt() == 0
