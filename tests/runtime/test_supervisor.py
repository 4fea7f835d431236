"""The supervisor with real (tiny) child processes: output, restarts, shutdown, orphans."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from sift.runtime.supervisor import ProcessSpec, RestartPolicy, Supervisor

PY = sys.executable


def python(code: str) -> list[str]:
    return [PY, "-c", textwrap.dedent(code)]


def fast_policy() -> RestartPolicy:
    return RestartPolicy(initial_backoff=0.05, max_backoff=0.4, stable_after=5.0)


async def eventually(predicate: object, timeout: float = 10.0) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def gone(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


async def test_output_is_prefixed_line_by_line_json_untouched() -> None:
    output = io.BytesIO()
    supervisor = Supervisor(output=output)
    child = await supervisor.start(
        ProcessSpec(
            "printer",
            python("""
                import sys
                print('{"event": "hello", "n": 1}', flush=True)
                sys.stderr.write("to stderr\\n")
                sys.stderr.flush()
                sys.stdout.write("no newline at the end")
                """),
            restart=False,
        )
    )
    assert child.task is not None
    await asyncio.wait_for(child.task, 10)
    lines = output.getvalue().decode().splitlines()
    prefix = "printer" + " " * 9 + " | "
    assert prefix + '{"event": "hello", "n": 1}' in lines
    assert prefix + "to stderr" in lines
    assert prefix + "no newline at the end" in lines
    assert child.exit_codes == [0]


async def test_without_prefix_lines_pass_unchanged() -> None:
    output = io.BytesIO()
    supervisor = Supervisor(output=output, prefix=False)
    child = await supervisor.start(ProcessSpec("raw", python("print('{\"a\": 1}')"), restart=False))
    assert child.task is not None
    await asyncio.wait_for(child.task, 10)
    assert output.getvalue() == b'{"a": 1}\n'


async def test_a_dying_child_is_restarted_with_growing_backoff() -> None:
    output = io.BytesIO()
    supervisor = Supervisor(output=output, policy=fast_policy())
    child = await supervisor.start(ProcessSpec("crasher", python("import sys; sys.exit(3)")))
    started = time.monotonic()
    await eventually(lambda: child.restarts >= 4)
    elapsed = time.monotonic() - started
    await supervisor.stop()
    assert child.exit_codes.count(3) >= 4  # the last one may be our own SIGTERM
    # 0.05 + 0.1 + 0.2 + 0.4 (capped): a crash loop never spins.
    assert elapsed >= 0.7
    restarts = child.restarts
    await asyncio.sleep(0.5)
    assert child.restarts == restarts  # stopped means stopped


async def test_stop_terminates_children_and_does_not_restart_them() -> None:
    supervisor = Supervisor(output=io.BytesIO(), policy=fast_policy())
    sleeper = await supervisor.start(ProcessSpec("sleeper", ["sleep", "60"]))
    pid = sleeper.pid
    assert pid is not None
    await supervisor.stop()
    assert sleeper.exit_codes == [-signal.SIGTERM]
    assert sleeper.restarts == 0
    assert gone(pid)


async def test_a_child_that_ignores_sigterm_is_killed_after_the_timeout() -> None:
    output = io.BytesIO()
    supervisor = Supervisor(output=output, stop_timeout=0.5)
    stubborn = await supervisor.start(
        ProcessSpec(
            "stubborn",
            python("""
                import signal, time
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                print("ready", flush=True)
                time.sleep(60)
                """),
        )
    )
    # Until it prints, it may not have installed its handler (Python starts slowly on a busy host).
    deadline = time.monotonic() + 30
    while b"ready" not in output.getvalue() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    started = time.monotonic()
    await supervisor.stop()
    assert 0.4 <= time.monotonic() - started < 5
    assert stubborn.exit_codes == [-signal.SIGKILL]


async def test_grandchildren_do_not_outlive_their_parent(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    supervisor = Supervisor(output=io.BytesIO(), policy=fast_policy())
    await supervisor.start(
        ProcessSpec(
            "parent",
            python(f"""
                import subprocess, time
                grandchild = subprocess.Popen(["sleep", "60"])
                open({str(pid_file)!r}, "w").write(str(grandchild.pid))
                time.sleep(60)
                """),
        )
    )
    await eventually(lambda: pid_file.exists() and pid_file.read_text() != "")
    grandchild = int(pid_file.read_text())
    await supervisor.stop()
    await eventually(lambda: gone(grandchild), timeout=5)


async def test_a_crashed_parents_orphans_are_killed_before_the_restart(tmp_path: Path) -> None:
    pid_file = tmp_path / "orphan.pid"
    supervisor = Supervisor(output=io.BytesIO(), policy=fast_policy())
    child = await supervisor.start(
        ProcessSpec(
            "leaky",
            python(f"""
                import os, subprocess, sys
                if not os.path.exists({str(pid_file)!r}):
                    orphan = subprocess.Popen(["sleep", "60"])
                    open({str(pid_file)!r}, "w").write(str(orphan.pid))
                    sys.exit(1)
                import time; time.sleep(60)
                """),
        )
    )
    await eventually(lambda: child.restarts >= 1)
    orphan = int(pid_file.read_text())
    await eventually(lambda: gone(orphan), timeout=5)
    await supervisor.stop()


async def test_tiers_stop_from_the_top_down() -> None:
    output = io.BytesIO()
    supervisor = Supervisor(output=output, prefix=False)
    on_term = """
        import signal, sys, time
        def bye(*_):
            print("{name} stopping", flush=True)
            time.sleep(0.3)
            sys.exit(0)
        signal.signal(signal.SIGTERM, bye)
        print("{name} up", flush=True)
        time.sleep(60)
    """
    for name, tier in (("redis", 0), ("service", 1), ("gateway", 2)):
        await supervisor.start(
            ProcessSpec(name, python(on_term.replace("{name}", name)), tier=tier)
        )
    await eventually(lambda: output.getvalue().count(b" up") == 3)
    await supervisor.stop()
    stops = [line for line in output.getvalue().decode().splitlines() if "stopping" in line]
    assert stops == ["gateway stopping", "service stopping", "redis stopping"]


async def test_a_missing_program_fails_at_start() -> None:
    supervisor = Supervisor(output=io.BytesIO())
    with pytest.raises(FileNotFoundError):
        await supervisor.start(ProcessSpec("ghost", ["/nonexistent/program"]))
    assert supervisor.children == {}


async def test_duplicate_names_are_refused() -> None:
    supervisor = Supervisor(output=io.BytesIO())
    await supervisor.start(ProcessSpec("one", ["sleep", "60"]))
    with pytest.raises(ValueError, match="already"):
        await supervisor.start(ProcessSpec("one", ["sleep", "60"]))
    await supervisor.stop()


def test_children_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    """SIGKILL leaves no chance to clean up: the kernel's parent-death signal does it."""
    pid_file = tmp_path / "child.pid"
    script = textwrap.dedent(f"""
        import asyncio, io
        from sift.runtime.supervisor import ProcessSpec, Supervisor

        async def main():
            supervisor = Supervisor(output=io.BytesIO())
            child = await supervisor.start(ProcessSpec("sleeper", ["sleep", "60"]))
            open({str(pid_file)!r}, "w").write(str(child.pid))
            await asyncio.sleep(60)

        asyncio.run(main())
        """)
    supervisor = subprocess.Popen([PY, "-c", script])
    try:
        deadline = time.monotonic() + 20
        while not (pid_file.exists() and pid_file.read_text()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        child = int(pid_file.read_text())
        assert not gone(child)
        os.kill(supervisor.pid, signal.SIGKILL)
        supervisor.wait(10)
        deadline = time.monotonic() + 5
        while not gone(child):
            assert time.monotonic() < deadline, "the child outlived its supervisor"
            time.sleep(0.05)
    finally:
        supervisor.kill()
        supervisor.wait()
