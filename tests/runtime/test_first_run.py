"""The first `sift up` on a new data directory, as a person sees it: a few progress lines,
then how to sign in (with credentials that work), and nothing else on the console; each
process's log in its own file; `sift status`, `sift logs`, `sift stop`; a second start in
the background that makes no second owner.

The whole stack but the web app, on free ports, with its own embedded PostgreSQL: slow
on a loaded machine, hence the generous timeouts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sift import SERVICES
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port
from tests.conftest import REDIS_URL
from tests.runtime.conftest import postgres_tmp_dir

START_TIMEOUT = 420.0
STOP_LINE = "  Stop:"
EXPECTED_PROCESSES = {
    "mail",
    *SERVICES,
    "worker",
    "worker.ingest",
    "scheduler",
    "relay",
    *(f"consume.{service}" for service in SERVICES),  # each answers privacy requests
    "gateway",
}


@pytest.fixture
def stack_env() -> Iterator[dict[str, str]]:
    data_dir = postgres_tmp_dir()
    pg_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIFT_")}
    env.pop("DATABASE_URL", None)
    env |= {
        "SIFT_ENV": "development",
        "SIFT_LOG_JSON": "true",
        "SIFT_DATA_DIR": str(data_dir),
        "SIFT_EMBEDDED_PG_PORT": str(pg_port),
        "SIFT_REDIS_URL": REDIS_URL,
        "SIFT_REDIS_PREFIX": f"sift-first-run:{uuid.uuid4().hex[:8]}:",
        "SIFT_GATEWAY_HTTPS_PORT": str(free_port()),
        "SIFT_GATEWAY_HTTP_PORT": str(free_port()),
        "SIFT_GATEWAY_WORKER_PROCESSES": "1",
        "SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT": str(free_port()),
    }
    for name in SERVICES:
        env[f"SIFT_{name.upper()}_PORT"] = str(free_port())
    yield env
    EmbeddedPostgres(data_dir / "postgres", pg_port).stop(quiet=True)
    shutil.rmtree(data_dir, ignore_errors=True)


def sift(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sift.runtime", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_until_ready(process: subprocess.Popen[bytes]) -> list[str]:
    """The console's lines up to the ready block's last one."""
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    text = ""
    deadline = time.monotonic() + START_TIMEOUT
    while STOP_LINE not in text:
        chunk = process.stdout.read()
        text += (chunk or b"").decode()
        if not chunk:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"sift up did not come up ({process.returncode}):\n{text}")
            time.sleep(0.2)
    return text.splitlines()


def assert_quiet(lines: list[str]) -> None:
    """Words for people only: no log line (JSON or prefixed), no warning."""
    for line in lines:
        assert not line.lstrip().startswith("{"), line
        assert " | " not in line, line
        assert "warn" not in line.lower(), line


def test_a_first_start_shows_how_to_sign_in_and_the_second_does_not_repeat_it(
    stack_env: dict[str, str],
) -> None:
    data_dir = Path(stack_env["SIFT_DATA_DIR"])
    process = subprocess.Popen(
        [sys.executable, "-m", "sift.runtime", "up", "--no-web", "--ready-timeout", "360"],
        env=stack_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        lines = read_until_ready(process)
        assert_quiet(lines)
        steps = [line.split()[0] for line in lines if line.startswith("  ") and line.split()]
        for step in ("database", "migrations", "gateway", "redis", "started"):
            assert step in steps, lines
        started = {m.group(1) for line in lines if (m := re.match(r"  started\s+(\S+) ", line))}
        assert started == EXPECTED_PROCESSES
        https = stack_env["SIFT_GATEWAY_HTTPS_PORT"]
        assert f"Sift is up: https://localhost:{https}" in "\n".join(lines)
        sign_in = next(line for line in lines if line.startswith("  Sign in:"))
        email, password = re.fullmatch(r"  Sign in:\s+(\S+) / (\S+)", sign_in).groups()  # type: ignore[union-attr]
        assert any(line.startswith("  Mail:") and "/api/dev/mail" in line for line in lines)
        assert any(line.startswith("  Logs:") and str(data_dir / "logs") in line for line in lines)

        # The printed credentials sign in, through the gateway.
        with httpx.Client(
            base_url=f"https://127.0.0.1:{https}", verify=False, timeout=30
        ) as client:
            signed_in = client.post("/api/auth/login", json={"email": email, "password": password})
            assert signed_in.status_code == 200, signed_in.text
            token = signed_in.json()["access_token"]
            me = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200 and me.json()["email"] == email

        # Every process has its log; Sift's own are JSON lines; Celery said nothing of root.
        logs = data_dir / "logs"
        assert EXPECTED_PROCESSES | {"up"} <= {path.stem for path in logs.glob("*.log")}
        assert (logs / "identity.log").read_text().lstrip().startswith("{")
        for worker in ("worker", "worker.ingest"):
            text = (logs / f"{worker}.log").read_text()
            assert "superuser" not in text and '"log.level": "warning"' not in text, text[-2000:]

        status = sift(stack_env, "status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert f"Sift is up: https://localhost:{https}" in status.stdout
        rows = {line.split()[0]: line.split() for line in status.stdout.splitlines()[3:] if line}
        identity_pid = next(
            m.group(1)
            for line in lines
            if (m := re.match(r"  started\s+identity \(pid (\d+)", line))
        )
        port = stack_env["SIFT_IDENTITY_PORT"]
        assert rows["identity"][1:7] == [
            identity_pid,
            "running",
            "ok",
            port,
            rows["identity"][5],
            "MiB",
        ]
        assert rows["gateway"][2:4] == ["running", "ok"]
        # No health check of its own; its port is the one it serves its metrics on.
        assert rows["worker"][2:4] == ["running", "-"] and rows["worker"][4].isdigit()
        assert rows["worker"][6] == "MiB"
        assert "Task queues: " in status.stdout and "ingest 0" in status.stdout

        identity_log = sift(stack_env, "logs", "identity", "-n", "5")
        assert identity_log.returncode == 0
        assert len(identity_log.stdout.splitlines()) == 5
        assert all(line.startswith("{") for line in identity_log.stdout.splitlines())

        stopped = sift(stack_env, "stop")
        assert stopped.returncode == 0 and "Sift stopped." in stopped.stdout
        assert process.wait(30) == 0
        assert process.stderr is not None and process.stderr.read() == b""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    # Again, in the background: the owner exists, so no password is shown.
    detached = sift(
        stack_env, "up", "--no-web", "--detach", "--ready-timeout", "360", timeout=START_TIMEOUT
    )
    try:
        assert detached.returncode == 0, detached.stdout + detached.stderr
        assert_quiet(detached.stdout.splitlines())
        sign_in = next(line for line in detached.stdout.splitlines() if "Sign in:" in line)
        assert email in sign_in and password not in detached.stdout
        assert "Stop:      sift stop" in detached.stdout
        assert sift(stack_env, "status").returncode == 0
    finally:
        stopped = sift(stack_env, "stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    after = sift(stack_env, "status")
    assert after.returncode == 3 and "not running" in after.stdout
