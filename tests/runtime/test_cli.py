"""The `sift` command line: parsing, `migrate`, and `serve` on its own."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from sift.core.config import CoreSettings
from sift.runtime.cli import build_parser, main
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port
from sift.runtime.gateway import GatewayPaths, GatewaySettings
from sift.runtime.infra import redis_answers
from sift.runtime.services import service_layouts
from sift.runtime.supervisor import Supervisor
from sift.runtime.up import (
    UpError,
    UpOptions,
    check_ports,
    child_specs,
    data_dir_lock,
    metrics_ports,
    start_redis,
)
from tests.conftest import REDIS_URL


def test_commands_parse() -> None:
    parser = build_parser()
    serve = parser.parse_args(["serve", "identity", "--port", "9000", "--no-reload"])
    assert (serve.service, serve.port, serve.reload) == ("identity", 9000, False)
    assert parser.parse_args(["serve", "audit"]).reload is None  # by environment
    worker = parser.parse_args(["worker", "--queues", "ingest,deliver"])
    assert worker.queues == "ingest,deliver"
    make = parser.parse_args(["makemigrations", "search", "-m", "add chunks"])
    assert (make.service, make.message) == ("search", "add chunks")
    up = parser.parse_args(["up", "--no-gateway", "--reload"])
    assert (up.gateway, up.reload, up.migrate) == (False, True, True)
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "nonexistent"])


def test_migrate_runs_every_history(
    base_settings: CoreSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert base_settings.database_url is not None
    monkeypatch.setenv("SIFT_DATABASE_URL", base_settings.database_url)
    monkeypatch.setenv("SIFT_DATA_DIR", str(base_settings.data_dir))
    assert main(["migrate"]) == 0  # already at head: a no-op that must succeed
    assert main(["migrate", "--service", "audit"]) == 0


def test_an_unavailable_dependency_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIFT_DATABASE_URL", "postgresql://db.example/sift")
    monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path))
    assert main(["db", "start"]) == 1
    assert "DATABASE_URL is set" in capsys.readouterr().err


def test_up_runs_every_replica_on_consecutive_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIFT_SEARCH_REPLICAS", "3")
    monkeypatch.setenv("SIFT_SEARCH_PORT", "9300")
    monkeypatch.setenv("SIFT_METRICS_FIRST_PORT", "9400")
    settings = CoreSettings(data_dir=tmp_path)
    specs = child_specs(
        settings,
        service_layouts(),
        UpOptions(),
        env={"X": "1"},
        gateway=GatewaySettings(),
        gateway_paths=GatewayPaths.under(tmp_path),
    )
    by_name = {spec.name: spec for spec in specs}
    searches = [by_name[f"search.{n}"] for n in (1, 2, 3)]
    assert [spec.argv[spec.argv.index("--port") + 1] for spec in searches] == [
        "9300",
        "9301",
        "9302",
    ]
    assert "scheduler" in by_name
    # Each process without HTTP serves its metrics on a port of its own, from 9400.
    metrics = {
        name: int(spec.env["SIFT_METRICS_PORT"])
        for name, spec in by_name.items()
        if "SIFT_METRICS_PORT" in spec.env
    }
    assert list(metrics)[:4] == ["worker", "worker.ingest", "scheduler", "relay"]
    assert "consume.search" in metrics and "search.1" not in metrics
    assert list(metrics.values()) == list(range(9400, 9400 + len(metrics)))
    assert all(by_name[name].port == port for name, port in metrics.items())
    gateway = by_name["gateway"]
    assert gateway.tier > by_name["identity"].tier
    assert gateway.stop_signal == signal.SIGQUIT
    assert "daemon off;" in gateway.argv


def test_up_picks_free_metrics_ports_once_unless_told_where(tmp_path: Path) -> None:
    options = UpOptions()
    first = metrics_ports(service_layouts(), options)
    assert len(set(first.values())) == len(first) >= 5
    # The port check, the processes' environment and the targets file agree.
    assert metrics_ports(service_layouts(), options) == first
    specs = child_specs(
        CoreSettings(data_dir=tmp_path),
        service_layouts(),
        options,
        env={},
        gateway=GatewaySettings(),
        gateway_paths=None,
    )
    assert {s.name: int(s.env["SIFT_METRICS_PORT"]) for s in specs if s.name in first} == first


def test_serve_alone_starts_the_embedded_database(pg_tmp: Path) -> None:
    """`sift serve identity` with no DATABASE_URL: the embedded cluster comes up with it."""
    port, pg_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SIFT_DATABASE_URL")}
    env |= {
        "SIFT_DATA_DIR": str(pg_tmp),
        "SIFT_EMBEDDED_PG_PORT": str(pg_port),
        "SIFT_REDIS_PREFIX": f"sift-test-serve-{port}:",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "sift.runtime", "serve", "identity", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/api/identity/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "sift serve did not answer"
                time.sleep(0.2)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        if server.stderr:
            server.stderr.close()
        EmbeddedPostgres(pg_tmp / "postgres", pg_port).stop(quiet=True)
    assert server.returncode in (0, -signal.SIGTERM)


def test_one_sift_up_per_data_dir(tmp_path: Path) -> None:
    first = data_dir_lock(tmp_path)
    second = data_dir_lock(tmp_path)
    with first, pytest.raises(UpError, match="another `sift up`"), second:
        pass
    with data_dir_lock(tmp_path):  # released again
        pass


def test_ports_in_use_are_named_before_anything_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        monkeypatch.setenv("SIFT_AUDIT_PORT", str(taken))
        gateway = GatewaySettings(https_port=free_port(), http_port=free_port())
        with pytest.raises(UpError, match=rf"{taken} \(audit\)"):
            check_ports(service_layouts(), gateway, UpOptions())


async def test_up_starts_a_local_redis_when_none_answers(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings = CoreSettings(data_dir=tmp_path, redis_url=url)
    supervisor = Supervisor(output=io.BytesIO())
    try:
        await start_redis(settings, supervisor, {})
        assert redis_answers(url)
        assert supervisor.children["redis"].spec.tier == 0
        assert (tmp_path / "redis" / "redis.conf").exists()
    finally:
        await supervisor.stop()


async def test_up_uses_the_redis_that_answers(tmp_path: Path) -> None:
    supervisor = Supervisor(output=io.BytesIO())
    await start_redis(CoreSettings(data_dir=tmp_path, redis_url=REDIS_URL), supervisor, {})
    assert supervisor.children == {}


def run_until_logged(
    argv: list[str], env: dict[str, str], expected: str, *, timeout: float = 60
) -> subprocess.Popen[bytes]:
    """Start `python -m sift.runtime ...` and wait until a line contains `expected`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sift.runtime", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    seen = b""
    deadline = time.monotonic() + timeout
    while expected.encode() not in seen:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{argv} never logged {expected!r}:\n{seen.decode(errors='replace')}")
        seen += process.stdout.read() or b""
        time.sleep(0.05)
    return process


def stop_cleanly(process: subprocess.Popen[bytes], *, timeout: float = 30) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    finally:
        process.kill()
        if process.stdout:
            process.stdout.close()


@pytest.fixture
def command_env(base_settings: CoreSettings) -> dict[str, str]:
    assert base_settings.database_url is not None
    return os.environ | {
        "SIFT_DATABASE_URL": base_settings.database_url,
        "SIFT_DATA_DIR": str(base_settings.data_dir),
        "SIFT_REDIS_URL": REDIS_URL,
        "SIFT_REDIS_PREFIX": f"sift-test-cli-{free_port()}:",
        "SIFT_LOG_JSON": "true",
    }


@pytest.mark.parametrize(
    ("argv", "ready"),
    [
        (["relay"], '"relay.started"'),
        (["scheduler"], '"scheduler.leading"'),
        (["consume", "documents"], '"consume.started"'),
        (["worker", "--concurrency", "1", "--queues", "ingest"], "ready."),
    ],
)
def test_background_processes_start_and_stop_on_sigterm(
    command_env: dict[str, str], argv: list[str], ready: str
) -> None:
    process = run_until_logged(argv, command_env, ready)
    assert stop_cleanly(process) == 0


def test_gateway_run_becomes_nginx(tmp_path: Path, command_env: dict[str, str]) -> None:
    https = free_port()
    env = command_env | {
        "SIFT_DATA_DIR": str(tmp_path),
        "SIFT_GATEWAY_HTTPS_PORT": str(https),
        "SIFT_GATEWAY_HTTP_PORT": str(free_port()),
        "SIFT_GATEWAY_WORKER_PROCESSES": "1",
    }
    process = run_until_logged(["gateway", "run"], env, '"gateway.config_written"')
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                health = httpx.get(f"https://127.0.0.1:{https}/gateway/healthz", verify=False)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert health.json() == {"status": "ok", "service": "gateway"}
        assert psutil.Process(process.pid).name() == "nginx"  # exec'd: signals reach nginx
    finally:
        assert stop_cleanly(process) == 0


def test_gateway_render_writes_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path))
    assert main(["gateway", "render"]) == 0
    config = tmp_path / "gateway" / "nginx.conf"
    assert capsys.readouterr().out.strip() == str(config)
    assert "upstream sift_identity" in config.read_text()


def test_children_verify_tokens_against_identity_where_it_listens(
    base_settings: CoreSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sift.runtime.up import child_env

    monkeypatch.delenv("SIFT_AUTH_JWKS_URL", raising=False)
    monkeypatch.setenv("SIFT_IDENTITY_PORT", "9301")
    env = child_env(base_settings, None, "https://localhost:9443", service_layouts())
    assert env["SIFT_AUTH_JWKS_URL"] == "http://127.0.0.1:9301/.well-known/jwks.json"
    monkeypatch.setenv("SIFT_AUTH_JWKS_URL", "http://identity.internal/.well-known/jwks.json")
    assert "SIFT_AUTH_JWKS_URL" not in child_env(base_settings, None, "u", service_layouts())


def test_the_assistant_retrieves_from_search_where_it_listens(
    base_settings: CoreSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sift.runtime.up import child_env

    monkeypatch.delenv("SIFT_ASSISTANT_SEARCH_URL", raising=False)
    monkeypatch.setenv("SIFT_SEARCH_PORT", "9303")
    env = child_env(base_settings, None, "https://localhost:9443", service_layouts())
    assert env["SIFT_ASSISTANT_SEARCH_URL"] == "http://127.0.0.1:9303"
    monkeypatch.setenv("SIFT_ASSISTANT_SEARCH_URL", "http://search.internal:8103")
    env = child_env(base_settings, None, "u", service_layouts())
    assert "SIFT_ASSISTANT_SEARCH_URL" not in env


def test_audit_confirms_erasures_with_identity_where_it_listens(
    base_settings: CoreSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sift.runtime.up import child_env

    monkeypatch.delenv("SIFT_PRIVACY_IDENTITY_URL", raising=False)
    monkeypatch.setenv("SIFT_IDENTITY_PORT", "9301")
    env = child_env(base_settings, None, "https://localhost:9443", service_layouts())
    assert env["SIFT_PRIVACY_IDENTITY_URL"] == "http://127.0.0.1:9301"
    monkeypatch.setenv("SIFT_PRIVACY_IDENTITY_URL", "http://identity.internal:8101")
    assert "SIFT_PRIVACY_IDENTITY_URL" not in child_env(base_settings, None, "u", service_layouts())
