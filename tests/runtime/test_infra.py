"""Redis for `sift up`: the configured one when it answers, a local one when it does not."""

from __future__ import annotations

import asyncio
import io
import socket
import stat
from pathlib import Path

import pytest

from sift.runtime.embedded_postgres import free_port
from sift.runtime.infra import InfraError, local_redis_command, ports_in_use, redis_answers
from sift.runtime.supervisor import ProcessSpec, Supervisor
from tests.conftest import REDIS_URL


def test_the_real_redis_answers() -> None:
    assert redis_answers(REDIS_URL)


def test_nobody_answers_on_a_free_port() -> None:
    assert not redis_answers(f"redis://127.0.0.1:{free_port()}/0", timeout=0.3)


def test_no_local_server_for_a_remote_or_tls_redis(tmp_path: Path) -> None:
    assert local_redis_command("redis://cache.internal:6379/0", tmp_path) is None
    assert local_redis_command("rediss://127.0.0.1:6379/0", tmp_path) is None


def test_a_password_with_quotes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InfraError, match="password"):
        local_redis_command("redis://:pa%22ss@127.0.0.1:6379/0", tmp_path)


async def test_a_local_redis_is_started_under_the_data_dir(tmp_path: Path) -> None:
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    command = local_redis_command(url, tmp_path / "redis")
    assert command is not None
    config = tmp_path / "redis" / "redis.conf"
    assert command[1] == str(config)
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "s3cret" not in " ".join(command)  # the password stays out of `ps`
    supervisor = Supervisor(output=io.BytesIO())
    await supervisor.start(ProcessSpec("redis", command, restart=False))
    try:
        for _ in range(100):
            if redis_answers(url, timeout=0.2):
                break
            await asyncio.sleep(0.05)
        assert redis_answers(url)
        assert not redis_answers(url.replace("s3cret", "wrong"), timeout=0.3)
    finally:
        await supervisor.stop()
    assert not redis_answers(url, timeout=0.3)


def test_ports_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        free = free_port()
        assert ports_in_use("127.0.0.1", [busy, free]) == [busy]
