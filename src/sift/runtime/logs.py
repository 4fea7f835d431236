"""Where `sift up` writes logs: one rotated file per process under `<data_dir>/logs/`.

The supervisor hands each line a child prints to that child's `RotatingFileHandler`
(the standard library's size rotation: no rotation of our own to get wrong), and
`sift up`'s own structlog lines go to `up.log` the same way. `sift logs` reads them back.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

import structlog
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import CoreSettings, SiftSettings

UP_LOG = "up"


class RunLogSettings(SiftSettings):
    """Environment variables `SIFT_LOG_*` of `sift up` (`SIFT_LOG_LEVEL` is the core's)."""

    model_config = SettingsConfigDict(env_prefix="SIFT_LOG_")

    console: bool = False  # stream every process's lines to the console (`--verbose`)
    file_max_bytes: int = Field(default=10 * 1024 * 1024, ge=64 * 1024)
    file_backups: int = Field(default=5, ge=1)


def log_dir(settings: CoreSettings) -> Path:
    return settings.data_dir.resolve() / "logs"


def log_path(directory: Path, process: str) -> Path:
    return directory / f"{process}.log"


class LogFiles:
    """One rotating file per child, kept open across the child's restarts."""

    def __init__(self, directory: Path, *, max_bytes: int, backups: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.backups = backups
        self._handlers: dict[str, RotatingFileHandler] = {}

    def open(self, process: str) -> RotatingFileHandler:
        """The process's file, created now if missing: `sift logs` finds a quiet one too."""
        handler = self._handlers.get(process)
        if handler is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(
                log_path(self.directory, process),
                maxBytes=self.max_bytes,
                backupCount=self.backups,
                encoding="utf-8",
            )
            self._handlers[process] = handler
        return handler

    def write(self, process: str, lines: Sequence[bytes]) -> None:
        handler = self.open(process)
        for line in lines:
            # The line as the child wrote it (a JSON object for Sift's own processes).
            message = line.decode("utf-8", errors="replace").rstrip("\r")
            handler.handle(logging.makeLogRecord({"msg": message, "levelno": logging.INFO}))

    def close(self) -> None:
        for handler in self._handlers.values():
            handler.close()
        self._handlers.clear()


def log_to_file(path: Path, settings: RunLogSettings) -> None:
    """Send this process's structlog and standard-library lines to a rotated file.

    Called after `configure_logging`: its renderer stays, only the destination changes.
    """
    root = logging.getLogger()
    formatter = root.handlers[0].formatter if root.handlers else None
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        path, maxBytes=settings.file_max_bytes, backupCount=settings.file_backups, encoding="utf-8"
    )
    handler.setFormatter(formatter)
    root.handlers = [handler]
    processors = list(structlog.get_config()["processors"])
    # The renderer moves to the handler's formatter (which has the same one).
    processors[-1] = structlog.stdlib.ProcessorFormatter.wrap_for_formatter
    structlog.configure(processors=processors, logger_factory=structlog.stdlib.LoggerFactory())
    logging.captureWarnings(True)  # a library's warning is a log line, not console noise


@contextlib.contextmanager
def kept_logging() -> Iterator[None]:
    """Building a service's app (for its OpenAPI document) configures logging for that
    service; the process that builds it keeps its own destination and `service` field."""
    config = structlog.get_config()
    bound = structlog.contextvars.get_contextvars()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        structlog.configure(**config)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(**bound)
        root.handlers = handlers
        root.setLevel(level)


def available(directory: Path) -> list[str]:
    """The processes that have a log, by name."""
    if not directory.is_dir():
        return []
    return sorted(path.name.removesuffix(".log") for path in directory.glob("*.log"))


def last_lines(path: Path, count: int) -> list[str]:
    """The last `count` lines of a file, read from its end (logs can be large)."""
    if count <= 0 or not path.is_file():
        return []
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = position = handle.tell()
        data = b""
        while position > 0 and data.count(b"\n") <= count:
            step = min(64 * 1024, position)
            position -= step
            handle.seek(position)
            data = handle.read(end - position)
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[-count:]


class Follower:
    """Lines appended to one log file, across its rotation (a new file at the same path)."""

    def __init__(self, path: Path, *, from_end: bool = True) -> None:
        self.path = path
        self._handle: TextIO | None = None
        self._inode: int | None = None
        self._from_end = from_end

    def _open(self) -> None:
        if not self.path.exists():
            return
        self._handle = self.path.open("r", encoding="utf-8", errors="replace")
        self._inode = os.fstat(self._handle.fileno()).st_ino
        if self._from_end:
            self._handle.seek(0, os.SEEK_END)
        self._from_end = False  # a rotated-in file is read from its start

    def poll(self) -> list[str]:
        if self._handle is None:
            self._open()
            if self._handle is None:
                return []
        lines = self._handle.readlines()
        try:
            rotated = self.path.stat().st_ino != self._inode
        except FileNotFoundError:
            rotated = False  # between the rename and the new file
        if rotated:
            lines += self._handle.readlines()
            self._handle.close()
            self._handle = None
            self._open()
            if self._handle is not None:
                lines += self._handle.readlines()
        return [line.rstrip("\n") for line in lines]

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def follow(paths: dict[str, Path], *, interval: float = 0.25) -> Iterator[tuple[str, str]]:
    """(process, line) for every line appended to the files, until interrupted."""
    followers = {name: Follower(path) for name, path in paths.items()}
    try:
        while True:
            for name, follower in followers.items():
                for line in follower.poll():
                    yield name, line
            time.sleep(interval)
    finally:
        for follower in followers.values():
            follower.close()


def print_lines(
    lines: Sequence[tuple[str, str]], *, prefix: bool, out: TextIO | None = None
) -> None:
    from sift.runtime.supervisor import PREFIX_WIDTH

    out = out or sys.stdout
    for name, line in lines:
        out.write(f"{name:<{PREFIX_WIDTH}} | {line}\n" if prefix else f"{line}\n")
    out.flush()
