"""`<data_dir>/run.json`: what a running `sift up` runs, for `sift status`, `logs` and `stop`.

`sift up` rewrites it whenever a child starts or exits; `up.lock` (held with `flock` for
as long as `sift up` runs) says whether it still runs and holds its PID.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sift.core.config import CoreSettings
from sift.runtime.supervisor import Supervisor

STATE_FILE = "run.json"
LOCK_FILE = "up.lock"


@dataclass(frozen=True)
class ChildState:
    name: str
    pid: int | None
    running: bool
    restarts: int = 0
    port: int | None = None
    health_url: str | None = None


@dataclass(frozen=True)
class RunState:
    pid: int
    url: str
    started_at: str
    redis_url: str
    redis_prefix: str
    children: list[ChildState] = field(default_factory=list)
    ready: bool = False

    def write(self, data_dir: Path) -> None:
        """Atomically: a reader never sees half a file."""
        path = data_dir / STATE_FILE
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(asdict(self), indent=1) + "\n")
        os.replace(temporary, path)

    @classmethod
    def read(cls, data_dir: Path) -> RunState | None:
        try:
            data = json.loads((data_dir / STATE_FILE).read_text())
            children = [ChildState(**child) for child in data.pop("children", [])]
            return cls(**data, children=children)
        except (OSError, ValueError, TypeError):
            return None


def running_pid(data_dir: Path) -> int | None:
    """The PID of the `sift up` that holds the data directory's lock, if one does."""
    path = data_dir / LOCK_FILE
    try:
        handle = path.open("r")
    except FileNotFoundError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


class StateWriter:
    """Keeps `run.json` in step with the supervisor's children."""

    def __init__(self, settings: CoreSettings, url: str, pid: int) -> None:
        self.data_dir = settings.data_dir.resolve()
        self.url = url
        self.pid = pid
        self.redis_url = settings.redis_url
        self.redis_prefix = settings.redis_prefix
        self.started_at = datetime.now(UTC).isoformat()
        self.ready = False

    def write(self, supervisor: Supervisor) -> None:
        children = [
            ChildState(
                name=name,
                pid=child.pid,
                running=child.running,
                restarts=child.restarts,
                port=child.spec.port,
                health_url=child.spec.health_url,
            )
            for name, child in supervisor.children.items()
        ]
        RunState(
            pid=self.pid,
            url=self.url,
            started_at=self.started_at,
            redis_url=self.redis_url,
            redis_prefix=self.redis_prefix,
            children=children,
            ready=self.ready,
        ).write(self.data_dir)

    def remove(self) -> None:
        (self.data_dir / STATE_FILE).unlink(missing_ok=True)
