"""Each child's output in its own rotated file; reading the files back (`sift logs`)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import pytest
import structlog

from sift.core.logging import configure_logging
from sift.runtime.cli import main
from sift.runtime.logs import (
    Follower,
    LogFiles,
    RunLogSettings,
    available,
    kept_logging,
    last_lines,
    log_to_file,
)
from sift.runtime.supervisor import ProcessSpec, Supervisor
from tests.runtime.test_supervisor import python


async def test_a_quiet_supervisor_writes_each_child_to_its_own_file(tmp_path: Path) -> None:
    console = io.BytesIO()
    files = LogFiles(tmp_path, max_bytes=1024 * 1024, backups=2)
    supervisor = Supervisor(output=console, console=False, log_files=files)
    for name, text in (("alpha", "from alpha"), ("beta", "from beta")):
        code = f"""
            import sys
            print('{{"event": "{text}"}}', flush=True)
            sys.stderr.write("{text} on stderr\\n")
            """
        await supervisor.start(ProcessSpec(name, python(code), restart=False))
    await asyncio.gather(*(child.task for child in supervisor.children.values() if child.task))
    await supervisor.stop()
    assert console.getvalue() == b""
    assert available(tmp_path) == ["alpha", "beta"]
    alpha = (tmp_path / "alpha.log").read_text().splitlines()
    assert sorted(alpha) == sorted(['{"event": "from alpha"}', "from alpha on stderr"])
    assert "beta" not in (tmp_path / "alpha.log").read_text()


async def test_verbose_streams_to_the_console_and_still_writes_the_file(tmp_path: Path) -> None:
    console = io.BytesIO()
    files = LogFiles(tmp_path, max_bytes=1024 * 1024, backups=2)
    supervisor = Supervisor(output=console, console=True, log_files=files)
    child = await supervisor.start(ProcessSpec("loud", python("print('hi')"), restart=False))
    assert child.task is not None
    await asyncio.wait_for(child.task, 10)
    await supervisor.stop()
    assert console.getvalue().decode().endswith("| hi\n")
    assert (tmp_path / "loud.log").read_text() == "hi\n"


async def test_a_full_log_is_rotated(tmp_path: Path) -> None:
    files = LogFiles(tmp_path, max_bytes=64 * 1024, backups=2)
    supervisor = Supervisor(output=io.BytesIO(), console=False, log_files=files)
    code = "for n in range(4000): print(f'line {n:05d} ' + 'x' * 60)"
    child = await supervisor.start(ProcessSpec("chatty", python(code), restart=False))
    assert child.task is not None
    await asyncio.wait_for(child.task, 20)
    await supervisor.stop()
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["chatty.log", "chatty.log.1", "chatty.log.2"]  # older ones dropped
    assert all(path.stat().st_size <= 64 * 1024 for path in tmp_path.iterdir())
    assert last_lines(tmp_path / "chatty.log", 1)[0].startswith("line 03999 ")


def test_last_lines_reads_from_the_end(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text("".join(f"{n}\n" for n in range(100_000)))
    assert last_lines(path, 3) == ["99997", "99998", "99999"]
    assert last_lines(path, 0) == []
    assert last_lines(tmp_path / "missing.log", 5) == []


def test_a_follower_reads_appended_lines_across_a_rotation(tmp_path: Path) -> None:
    path = tmp_path / "p.log"
    path.write_text("old\n")
    follower = Follower(path)
    assert follower.poll() == []  # starts at the end
    with path.open("a") as handle:
        handle.write("one\n")
    assert follower.poll() == ["one"]
    with path.open("a") as handle:
        handle.write("two\n")
    path.rename(tmp_path / "p.log.1")  # what RotatingFileHandler does
    path.write_text("three\n")
    assert follower.poll() == ["two", "three"]
    follower.close()


def test_up_logs_to_its_file_and_building_an_app_does_not_take_it_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(service="sift-up", json=True)
    log_to_file(tmp_path / "up.log", RunLogSettings())
    structlog.get_logger().info("before")
    with kept_logging():
        configure_logging(service="audit", json=True)  # what create_app does
        structlog.get_logger().info("inside")
    structlog.get_logger().info("after")
    logging.getLogger("some.library").warning("a library speaks")
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = [json.loads(line) for line in (tmp_path / "up.log").read_text().splitlines()]
    assert [line["message"] for line in lines] == ["before", "after", "a library speaks"]
    assert {line["service.name"] for line in lines} == {"sift-up"}
    assert [line["log.logger"] for line in lines] == [__name__, __name__, "some.library"]
    assert "before" not in capsys.readouterr().err


def test_sift_logs_prints_a_process_or_every_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path))
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "identity.log").write_text("i1\ni2\ni3\n")
    (logs / "worker.log").write_text("w1\n")
    assert main(["logs", "identity", "-n", "2"]) == 0
    assert capsys.readouterr().out == "i2\ni3\n"
    assert main(["logs", "-n", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" | ") for line in out] == [
        ["identity".ljust(16), "i3"],
        ["worker".ljust(16), "w1"],
    ]
    assert main(["logs", "nobody"]) == 1
    assert "no log of 'nobody'" in capsys.readouterr().err
