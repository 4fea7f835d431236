"""`sift status`: every process of the running stack (PID, health, port, memory) and the
depth of its queues, from `run.json` and what the processes and Redis answer now."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
from redis import Redis
from redis.exceptions import RedisError

from sift.core.config import EventSettings
from sift.core.tasks.routing import ALL_QUEUES
from sift.runtime.runstate import ChildState, RunState, running_pid

NOT_RUNNING = 3  # the exit status of `sift status` when nothing runs (as `sift db status`)


@dataclass(frozen=True)
class ProcessRow:
    name: str
    pid: int | None
    state: str  # running, exited, gone
    health: str  # ok, failing (503), no answer, - (nothing to ask)
    port: int | None
    memory_bytes: int | None
    restarts: int


def memory_of(pid: int) -> int | None:
    """Resident memory of the process and its descendants (pool workers, nginx workers)."""
    try:
        process = psutil.Process(pid)
        total = int(process.memory_info().rss)
        for descendant in process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += descendant.memory_info().rss
        return total
    except psutil.Error:
        return None


def alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def health_of(client: httpx.Client, url: str | None) -> str:
    if url is None:
        return "-"
    try:
        response = client.get(url)
    except httpx.HTTPError:
        return "no answer"
    return "ok" if response.status_code == 200 else f"failing ({response.status_code})"


def process_rows(children: list[ChildState]) -> list[ProcessRow]:
    rows = []
    # Reachability only: the gateway's certificate may be self-signed.
    with httpx.Client(verify=False, timeout=2.0) as client:  # noqa: S501  # nosec B501
        for child in children:
            running = child.running and alive(child.pid)
            rows.append(
                ProcessRow(
                    name=child.name,
                    pid=child.pid,
                    state="running" if running else "exited",
                    health=health_of(client, child.health_url) if running else "-",
                    port=child.port,
                    memory_bytes=memory_of(child.pid) if running and child.pid else None,
                    restarts=child.restarts,
                )
            )
    return rows


def queue_depths(state: RunState) -> tuple[dict[str, int], list[tuple[str, int, int]]] | None:
    """Tasks waiting per Celery queue; per event consumer group, its pending and lag."""
    client = Redis.from_url(state.redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        queues = {queue: int(client.llen(state.redis_prefix + queue)) for queue in ALL_QUEUES}
        stream = state.redis_prefix + EventSettings().stream
        groups: list[tuple[str, int, int]] = []
        if client.exists(stream):
            for group in client.xinfo_groups(stream):
                name = group["name"]
                name = name.decode() if isinstance(name, bytes) else str(name)
                groups.append((name, int(group["pending"]), int(group.get("lag") or 0)))
        return queues, groups
    except (RedisError, OSError):
        return None
    finally:
        client.close()


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / (1024 * 1024):.0f} MiB"


def _uptime(started_at: str) -> str:
    try:
        seconds = int((datetime.now(UTC) - datetime.fromisoformat(started_at)).total_seconds())
    except ValueError:
        return "?"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def render(data_dir: Path) -> tuple[int, list[str]]:
    """The exit status and the lines of `sift status`."""
    pid = running_pid(data_dir)
    state = RunState.read(data_dir)
    if pid is None or state is None or state.pid != pid:
        return NOT_RUNNING, [f"Sift is not running (data in {data_dir})."]
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per health check
    phase = "up" if state.ready else "starting"
    width = max([len("PROCESS"), *(len(child.name) for child in state.children)])
    lines = [
        f"Sift is {phase}: {state.url}  (pid {pid}, for {_uptime(state.started_at)})",
        "",
        f"{'PROCESS':<{width}} {'PID':>7}  {'STATE':<8} {'HEALTH':<13} {'PORT':>5} "
        f"{'MEMORY':>9} {'RESTARTS':>8}",
    ]
    rows = process_rows(state.children)
    for row in rows:
        lines.append(
            f"{row.name:<{width}} {row.pid or '-':>7}  {row.state:<8} {row.health:<13} "
            f"{row.port or '-':>5} {_mib(row.memory_bytes):>9} {row.restarts:>8}"
        )
    depths = queue_depths(state)
    lines.append("")
    if depths is None:
        lines.append("Queues: Redis does not answer")
    else:
        queues, groups = depths
        lines.append("Task queues: " + ", ".join(f"{name} {n}" for name, n in queues.items()))
        if groups:
            described = ", ".join(
                f"{name} {pending} pending/{lag} behind" for name, pending, lag in groups
            )
            lines.append(f"Event consumers: {described}")
        else:
            lines.append("Event consumers: no events yet")
    # 1 when a process is down or failing: scripts can wait on `sift status`.
    healthy = all(row.state == "running" and row.health in ("ok", "-") for row in rows)
    return (0 if healthy else 1), lines
