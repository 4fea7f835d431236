"""The backend image's HEALTHCHECK script (deploy/docker/healthcheck.py): what it probes
for each `sift` command, against real listeners."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest
import redis

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "docker" / "healthcheck.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("image_healthcheck", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        ok = self.path == "/api/identity/healthz"
        self.send_response(self.status if ok else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def service() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    Health.status = 200


def test_it_reads_what_runs_after_tini() -> None:
    healthcheck = load()
    args = ["serve", "identity", "--host", "0.0.0.0", "--port=9001"]
    assert healthcheck.option(args, "--port") == "9001"
    assert healthcheck.option(["worker", "-n", "ingest@%h"], "--hostname", "-n") == "ingest@%h"
    assert healthcheck.option(["relay"], "--port") is None


def test_a_service_is_probed_on_its_port(
    service: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthcheck = load()
    port = service.server_address[1]
    assert healthcheck.check(["serve", "identity", "--port", str(port)]) is True
    monkeypatch.setenv("SIFT_IDENTITY_PORT", str(port))
    assert healthcheck.check(["serve", "identity"]) is True
    Health.status = 503
    with pytest.raises(OSError):  # urllib raises on a 5xx: the script's exit status is 1
        healthcheck.check(["serve", "identity", "--port", str(port)])


def test_a_relay_is_healthy_while_its_redis_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    healthcheck = load()
    monkeypatch.setenv("SIFT_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert healthcheck.check(["relay"]) is True
    monkeypatch.setenv("SIFT_REDIS_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(redis.exceptions.ConnectionError):
        healthcheck.check(["relay"])
