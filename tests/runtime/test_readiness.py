"""When the stack does not come up: which process, why, and where its log is; and the
state `sift status` and `sift stop` read when nothing runs."""

from __future__ import annotations

import io
import os
import signal
import socket
from pathlib import Path

import pytest

from sift.runtime.cli import main
from sift.runtime.console import Console, explain_failure
from sift.runtime.embedded_postgres import free_port
from sift.runtime.logs import LogFiles
from sift.runtime.readiness import Check, wait_ready
from sift.runtime.runstate import ChildState, RunState, running_pid
from sift.runtime.supervisor import ProcessSpec, Supervisor
from sift.runtime.up import data_dir_lock
from tests.runtime.test_supervisor import fast_policy, python


async def test_a_crash_loop_stops_the_wait_and_is_told_with_its_log(tmp_path: Path) -> None:
    files = LogFiles(tmp_path, max_bytes=1024 * 1024, backups=1)
    supervisor = Supervisor(
        policy=fast_policy(), output=io.BytesIO(), console=False, log_files=files
    )
    crash = "import sys; print('identity: no signing key', flush=True); sys.exit(3)"
    await supervisor.start(ProcessSpec("identity", python(crash)))
    check = Check("identity", f"http://127.0.0.1:{free_port()}/readyz", "identity")
    try:
        outcome = await wait_ready(supervisor, [check], [], within=60)
    finally:
        await supervisor.stop()
    assert not outcome.ready
    assert outcome.crashed == "identity" and outcome.exit_codes[:3] == (3, 3, 3)
    err = io.StringIO()
    explain_failure(Console(out=io.StringIO(), err=err), outcome, tmp_path, 60)
    told = err.getvalue()
    assert "identity keeps exiting while starting (exit status 3" in told
    assert "    identity: no signing key" in told
    assert str(tmp_path / "identity.log") in told


async def test_a_process_that_never_answers_is_named_after_the_timeout(tmp_path: Path) -> None:
    supervisor = Supervisor(output=io.BytesIO(), console=False)
    await supervisor.start(ProcessSpec("search", python("import time; time.sleep(60)")))
    silent = Check("search", f"http://127.0.0.1:{free_port()}/readyz", "search")
    try:
        outcome = await wait_ready(supervisor, [silent], [], within=1.0)
    finally:
        await supervisor.stop()
    assert (outcome.ready, outcome.crashed, outcome.waiting) == (False, None, (silent,))
    err = io.StringIO()
    explain_failure(Console(out=io.StringIO(), err=err), outcome, tmp_path, 1.0)
    assert "not ready after 1 s: search did not answer" in err.getvalue()
    assert str(tmp_path / "search.log") in err.getvalue()


def test_the_lock_names_the_running_up_and_the_state_round_trips(tmp_path: Path) -> None:
    assert running_pid(tmp_path) is None
    state = RunState(
        pid=1234,
        url="https://localhost:8443",
        started_at="2026-01-01T00:00:00+00:00",
        redis_url="redis://127.0.0.1:6379/0",
        redis_prefix="p:",
        children=[ChildState("identity", 99, True, 0, 8101, "http://127.0.0.1:8101/readyz")],
    )
    state.write(tmp_path)
    assert RunState.read(tmp_path) == state
    with data_dir_lock(tmp_path):
        assert running_pid(tmp_path) == os.getpid()
    assert running_pid(tmp_path) is None  # released: the PID left in the file means nothing


def test_status_and_stop_when_nothing_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path))
    assert main(["status"]) == 3
    assert "Sift is not running" in capsys.readouterr().out
    assert main(["stop"]) == 0
    assert "Sift is not running" in capsys.readouterr().out


def test_a_start_that_cannot_begin_says_why_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("SIFT_AUDIT_PORT", str(taken))
        monkeypatch.setenv("SIFT_GATEWAY_HTTPS_PORT", str(free_port()))
        monkeypatch.setenv("SIFT_GATEWAY_HTTP_PORT", str(free_port()))
        monkeypatch.setenv("SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT", str(free_port()))
        handler = signal.getsignal(signal.SIGTERM)
        assert main(["up", "--no-web"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"Starting Sift (test) with its data in {tmp_path}"]
    assert captured.err.startswith(f"sift up: ports in use: {taken} (audit).")
    assert len(captured.err.splitlines()) == 1
    assert signal.getsignal(signal.SIGTERM) == handler  # the start gave SIGTERM back
    assert (tmp_path / "logs" / "up.log").is_file()
