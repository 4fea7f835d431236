"""`sift up --detach` and `sift stop`: the stack in the background, and stopping it.

The detached `sift up` is the same command in its own session, its console written to
`<data_dir>/logs/console.log`; the caller shows that file until the stack is up (or the
start failed), so both see the same lines. `sift stop` signals the PID in `up.lock`, the
same SIGTERM a Ctrl-C amounts to, and waits until the lock is released.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sift.runtime.console import STOP_LINE
from sift.runtime.logs import Follower
from sift.runtime.runstate import running_pid

CONSOLE_LOG = "console.log"
DETACHED_FLAG = "--detached"


class BackgroundError(RuntimeError):
    pass


def detach(argv: Sequence[str], data_dir: Path, logs: Path, *, out: TextIO = sys.stdout) -> int:
    """Start `sift up` (argv without --detach) in the background; 0 once it is up."""
    pid = running_pid(data_dir)
    if pid is not None:
        raise BackgroundError(f"Sift is running already (pid {pid}); see `sift status`")
    logs.mkdir(parents=True, exist_ok=True)
    console_log = logs / CONSOLE_LOG
    command = [sys.executable, "-m", "sift.runtime", *[a for a in argv if a != "--detach"]]
    command.append(DETACHED_FLAG)
    with console_log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a closed terminal's SIGHUP does not reach it
        )
    follower = Follower(console_log, from_end=False)
    try:
        while True:
            exited = process.poll() is not None
            for line in follower.poll():
                out.write(line + "\n")
                if line.startswith(STOP_LINE):
                    out.write(f"Running in the background (pid {process.pid}).\n")
                    out.flush()
                    return 0
            out.flush()
            if exited:
                return process.returncode or 1
            time.sleep(0.2)
    except KeyboardInterrupt:
        out.write(
            f"\nStill starting in the background (pid {process.pid}); `sift stop` stops it.\n"
        )
        return 130
    finally:
        follower.close()


def stop(data_dir: Path, *, timeout: float, out: TextIO | None = None) -> int:
    """SIGTERM to the running `sift up`, then wait for it; 0 when stopped (or not running)."""
    out = out or sys.stdout
    pid = running_pid(data_dir)
    if pid is None:
        out.write(f"Sift is not running (data in {data_dir}).\n")
        return 0
    out.write(f"Stopping Sift (pid {pid})...\n")
    out.flush()
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while running_pid(data_dir) is not None:
        if time.monotonic() > deadline:
            raise BackgroundError(
                f"still stopping after {timeout:.0f} s (pid {pid}); run `sift stop` again "
                "or see `sift logs up`"
            )
        time.sleep(0.2)
    out.write("Sift stopped.\n")
    return 0
