"""Child processes of `sift up`: start them, log their output, restart them, stop them.

A child's lines go to its own rotated log file (`sift.runtime.logs.LogFiles`) and, when
asked for, to the console with the child's name in front.

Each child runs in its own session (process group), so that a Ctrl-C in the terminal
reaches only the supervisor, which then stops the children in order, and so that a
child's own children (nginx workers, Celery pool processes, uvicorn's reloader) are
killed with it. Children get SIGTERM if the supervisor dies without cleaning up.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import structlog

from sift.runtime.logs import LogFiles

log = structlog.get_logger()

_PR_SET_PDEATHSIG = 1
_CHUNK = 64 * 1024
_MAX_LINE = 256 * 1024
PREFIX_WIDTH = 16


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)  # added to the supervisor's own
    cwd: Path | None = None
    # Stopped from the highest tier down: gateway, then services, then infrastructure.
    tier: int = 1
    stop_signal: signal.Signals = signal.SIGTERM
    restart: bool = True
    port: int | None = None  # where it listens, for `sift status`
    health_url: str | None = None  # answers 200 when it is ready


@dataclass(frozen=True)
class RestartPolicy:
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    stable_after: float = 30.0  # this much uptime resets the backoff


@dataclass
class Child:
    spec: ProcessSpec
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    restarts: int = 0
    task: asyncio.Task[None] | None = None
    pump: asyncio.Task[None] | None = None
    exit_codes: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None


def _parent_death_signal() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    # Loaded in the parent: the child, between fork and exec, only makes one call.
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    prctl = libc.prctl

    def set_pdeathsig() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)

    return set_pdeathsig


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class Supervisor:
    def __init__(
        self,
        *,
        policy: RestartPolicy | None = None,
        stop_timeout: float = 10.0,
        output: BinaryIO | None = None,
        prefix: bool = True,
        console: bool = True,
        log_files: LogFiles | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.policy = policy or RestartPolicy()
        self.stop_timeout = stop_timeout
        self.output = output if output is not None else sys.stdout.buffer
        self.prefix = prefix
        self.console = console  # False: children's lines go to their log files only
        self.log_files = log_files
        self.on_change = on_change  # a child was spawned or exited (the state file)
        self.children: dict[str, Child] = {}
        self._stopping = asyncio.Event()
        self._preexec = _parent_death_signal()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def start(self, spec: ProcessSpec) -> Child:
        """Spawn the child and watch it; raises if it cannot be executed at all."""
        if spec.name in self.children:
            raise ValueError(f"a child named {spec.name!r} already runs")
        if self.stopping:
            raise RuntimeError("the supervisor is stopping")
        child = Child(spec)
        await self._spawn(child)
        self.children[spec.name] = child
        self._changed()  # _spawn's call came before the child was listed
        child.task = asyncio.create_task(self._watch(child), name=f"supervise:{spec.name}")
        return child

    async def _spawn(self, child: Child) -> None:
        spec = child.spec
        if self.log_files is not None:
            self.log_files.open(spec.name)
        # Our own pipe, not asyncio's: Python 3.11's Process.wait() does not return while
        # a grandchild still holds the child's stdout, so a crash would go unnoticed.
        read_fd, write_fd = os.pipe()
        try:
            child.process = await asyncio.create_subprocess_exec(
                *spec.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                env={**os.environ, **spec.env},
                cwd=spec.cwd,
                start_new_session=True,
                preexec_fn=self._preexec,
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        child.started_at = time.monotonic()
        child.pump = asyncio.create_task(self._pump(spec.name, read_fd))
        log.info("supervisor.started", child=spec.name, pid=child.process.pid)
        self._changed()
        if self.stopping:  # stop() ran while this child was being spawned
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(spec.stop_signal)

    async def _watch(self, child: Child) -> None:
        backoff = self.policy.initial_backoff
        while True:
            process, pump = child.process, child.pump
            assert process is not None and pump is not None
            code = await process.wait()
            # Orphans (nginx workers, pool processes) must not outlive their parent.
            _signal_group(process.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pump, timeout=2.0)
            if not pump.done():
                pump.cancel()
            child.exit_codes.append(code)
            self._changed()
            if self.stopping or not child.spec.restart:
                log.info("supervisor.exited", child=child.spec.name, returncode=code)
                return
            uptime = time.monotonic() - child.started_at
            if uptime >= self.policy.stable_after:
                backoff = self.policy.initial_backoff
            log.warning(
                "supervisor.child_died",
                child=child.spec.name,
                returncode=code,
                uptime_s=round(uptime, 3),
                restart_in_s=backoff,
            )
            while True:
                if await self._stopped_within(backoff):
                    return
                backoff = min(backoff * 2, self.policy.max_backoff)
                try:
                    await self._spawn(child)
                except OSError as exc:
                    log.error("supervisor.spawn_failed", child=child.spec.name, error=str(exc))
                    continue
                child.restarts += 1
                break

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:  # a state file that cannot be written must not stop supervising
                log.exception("supervisor.on_change_failed")

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True

    async def _pump(self, name: str, read_fd: int) -> None:
        label = (f"{name:<{PREFIX_WIDTH}} | " if self.prefix else "").encode()
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=_MAX_LINE)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(stream), os.fdopen(read_fd, "rb", buffering=0)
        )
        pending = b""
        try:
            while True:
                chunk = await stream.read(_CHUNK)
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                if len(pending) > _MAX_LINE:  # no newline in sight: flush what there is
                    lines.append(pending)
                    pending = b""
                self._write(name, label, lines)
            if pending:
                self._write(name, label, [pending])
        finally:
            transport.close()

    def _write(self, name: str, label: bytes, lines: list[bytes]) -> None:
        if not lines:
            return
        if self.log_files is not None:
            self.log_files.write(name, lines)
        if not self.console:
            return
        self.output.write(b"".join(label + line + b"\n" for line in lines))
        with contextlib.suppress(ValueError, OSError):
            self.output.flush()

    async def stop(self) -> None:
        """Stop every child, highest tier first: signal, wait, SIGKILL after the timeout."""
        self._stopping.set()
        tiers = sorted({child.spec.tier for child in self.children.values()}, reverse=True)
        for tier in tiers:
            await asyncio.gather(
                *(
                    self._stop_child(child)
                    for child in self.children.values()
                    if child.spec.tier == tier
                )
            )
        if self.log_files is not None:
            self.log_files.close()

    async def _stop_child(self, child: Child) -> None:
        process, task = child.process, child.task
        if process is None or task is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(child.spec.stop_signal)
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.stop_timeout)
        except TimeoutError:
            log.warning("supervisor.kill", child=child.spec.name, pid=process.pid)
            _signal_group(process.pid, signal.SIGKILL)
            await task

    def kill_all(self) -> None:
        """The impatient second Ctrl-C: SIGKILL every child's process group now."""
        self._stopping.set()
        for child in self.children.values():
            if child.process is not None:
                _signal_group(child.process.pid, signal.SIGKILL)
