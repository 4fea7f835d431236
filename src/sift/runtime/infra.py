"""The dependencies every command needs: the database (embedded by default) and Redis."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

import structlog
from redis import Redis
from redis.exceptions import RedisError

from sift.core.config import CoreSettings
from sift.runtime.embedded_postgres import EmbeddedPostgres, embedded_postgres_for

log = structlog.get_logger()


class InfraError(RuntimeError):
    pass


def ensure_database(settings: CoreSettings) -> tuple[EmbeddedPostgres | None, bool]:
    """With no DATABASE_URL, make sure the embedded cluster runs.

    Returns the cluster (None when a DATABASE_URL is configured) and whether this call
    started it, so that its caller can stop what it started and only that.
    """
    if settings.database_url is not None:
        return None, False
    server = embedded_postgres_for(settings)
    started = server.ensure_running()
    return server, started


def redis_answers(url: str, *, timeout: float = 1.0) -> bool:
    client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except (RedisError, OSError):
        return False
    finally:
        client.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_redis_command(url: str, data_dir: Path) -> list[str] | None:
    """`redis-server` for the configured URL when it names this machine and is installed.

    The settings go into `<data_dir>/redis.conf` (0600): a password stays out of `ps`.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    binary = shutil.which("redis-server")
    if parts.scheme != "redis" or not _is_loopback(host) or binary is None:
        return None
    data_dir.mkdir(parents=True, exist_ok=True)
    lines = [
        "bind 127.0.0.1",
        f"port {port}",
        f'dir "{data_dir}"',
        "daemonize no",
        "protected-mode yes",
        "save 60 1",
        "appendonly no",
        'logfile ""',
    ]
    if parts.password:
        if any(char in unquote(parts.password) for char in '"\\\n'):
            raise InfraError("the Redis password must not contain quotes, backslashes or newlines")
        lines.append(f'requirepass "{unquote(parts.password)}"')
    config = data_dir / "redis.conf"
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return [binary, str(config)]


def ports_in_use(host: str, ports: Sequence[int]) -> list[int]:
    """Ports a server of ours could not bind right now."""
    taken = []
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                taken.append(port)
    return taken


def redis_data_dir(settings: CoreSettings) -> Path:
    return settings.data_dir.resolve() / "redis"
