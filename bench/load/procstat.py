"""CPU and RSS per process of the stack (and of k6 itself), and the machine's load, from /proc.

A sampler thread reads, once a second, every process under the given roots (the `sift
up` process, k6), or every process whose command line looks like Sift's when the stack
runs elsewhere on this machine. Processes are grouped by role ("serve identity",
"worker ingest", "postgres", "nginx", "k6"): PostgreSQL backends and Celery's forked
children add up into their role.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
PROC = Path("/proc")
SIFT_MARKERS = ("sift.runtime", "/bin/sift", "nginx", "postgres", "redis-server", "celery")


@dataclass(frozen=True)
class ProcSample:
    pid: int
    ppid: int
    cpu_seconds: float
    rss_bytes: int
    role: str


def _read(pid: int) -> ProcSample | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        argv = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
        statm = (PROC / str(pid) / "statm").read_text().split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the command: state(0) ppid(1) ... utime(11) stime(12).
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    words = [word.decode(errors="replace") for word in argv if word]
    return ProcSample(pid, int(fields[1]), cpu, int(statm[1]) * PAGE, role_of(comm, words))


def role_of(comm: str, argv: list[str]) -> str:
    """What a process is, from its name and command line."""
    line = " ".join(argv)
    if comm == "k6" or (argv and argv[0].endswith("/k6")):
        return "k6"
    for name in ("nginx", "postgres", "redis-server"):
        if comm.startswith(name) or line.startswith(name):
            return name
    if "sift.runtime" in line or (argv and argv[0].endswith("/sift")) or "celery" in line:
        args = argv[argv.index("sift.runtime") + 1 :] if "sift.runtime" in argv else argv[1:]
        if not args:
            return "sift"
        command = args[0]
        if command in ("serve", "consume") and len(args) > 1:
            return f"{command} {args[1]}"
        if command == "worker":
            queues = next(
                (args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-Q", "--queues")), ""
            )
            return f"worker {queues}".strip()
        return "sift up" if command == "up" else command
    return comm


def snapshot() -> dict[int, ProcSample]:
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (sample := _read(int(entry.name))) is not None:
            found[sample.pid] = sample
    return found


def _descendants(processes: dict[int, ProcSample], roots: set[int]) -> set[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for sample in processes.values():
        children[sample.ppid].append(sample.pid)
    chosen, todo = set(), [root for root in roots if root in processes]
    while todo:
        pid = todo.pop()
        if pid not in chosen:
            chosen.add(pid)
            todo.extend(children[pid])
    return chosen


def _looks_like_sift(pid: int) -> bool:
    try:
        line = (
            (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return False
    return any(marker in line for marker in SIFT_MARKERS)


@dataclass
class RoleUsage:
    processes: set[int] = field(default_factory=set)
    cpu_seconds: float = 0.0
    peak_cpu_percent: float = 0.0
    peak_rss_bytes: int = 0


@dataclass
class Usage:
    seconds: float
    roles: dict[str, RoleUsage]
    load: list[tuple[float, float, float]]  # /proc/loadavg's 1, 5 and 15-minute averages


class Sampler(threading.Thread):
    """Samples every `interval` seconds until stopped; `roots()` may grow (k6 starts later)."""

    def __init__(self, roots: set[int] | None, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.roots = roots  # None: every process that looks like Sift's
        self.interval = interval
        self.halt = threading.Event()
        self.usage = Usage(0.0, defaultdict(RoleUsage), [])

    def watch(self, pid: int) -> None:
        if self.roots is not None:
            self.roots.add(pid)

    def run(self) -> None:
        previous: dict[int, float] = {}
        started = last = time.monotonic()
        while not self.halt.is_set():
            processes = snapshot()
            if self.roots is not None:
                chosen = _descendants(processes, set(self.roots))
            else:
                chosen = {pid for pid in processes if _looks_like_sift(pid)}
            now = time.monotonic()
            elapsed = max(now - last, 1e-3)
            per_role_cpu: dict[str, float] = defaultdict(float)
            per_role_rss: dict[str, int] = defaultdict(int)
            for pid in chosen:
                sample = processes[pid]
                used = sample.cpu_seconds - previous.get(pid, sample.cpu_seconds)
                previous[pid] = sample.cpu_seconds
                role = self.usage.roles[sample.role]
                role.processes.add(pid)
                role.cpu_seconds += used
                per_role_cpu[sample.role] += used
                per_role_rss[sample.role] += sample.rss_bytes
            for name, used in per_role_cpu.items():
                role = self.usage.roles[name]
                role.peak_cpu_percent = max(role.peak_cpu_percent, 100 * used / elapsed)
                role.peak_rss_bytes = max(role.peak_rss_bytes, per_role_rss[name])
            self.usage.load.append(loadavg())
            self.usage.seconds = now - started
            last = now
            self.halt.wait(self.interval)

    def stop(self) -> Usage:
        self.halt.set()
        self.join()
        return self.usage


def loadavg() -> tuple[float, float, float]:
    one, five, fifteen = (PROC / "loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)
