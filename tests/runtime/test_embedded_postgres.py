"""The embedded PostgreSQL: started once, reused while it runs, never two on one data dir."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pydantic import ValidationError

from sift.core.config import CoreSettings
from sift.runtime.cli import main
from sift.runtime.embedded_postgres import (
    EmbeddedPostgres,
    EmbeddedPostgresError,
    embedded_postgres_for,
    free_port,
)
from sift.runtime.infra import ensure_database
from tests.runtime.conftest import postgres_tmp_dir


@pytest.fixture(scope="module")
def cluster() -> Iterator[EmbeddedPostgres]:
    root = postgres_tmp_dir()
    server = EmbeddedPostgres(root / "postgres", free_port())
    yield server
    server.destroy()
    shutil.rmtree(root, ignore_errors=True)


def _query(server: EmbeddedPostgres, sql: str) -> object:
    url = f"postgresql://{server.user}@{server.host}:{server.port}/{server.database}"
    with psycopg.connect(url) as connection:
        cursor = connection.execute(sql)
        row = cursor.fetchone() if cursor.description else None
        return None if row is None else row[0]


def test_ensure_running_starts_then_reuses(cluster: EmbeddedPostgres) -> None:
    assert cluster.ensure_running() is True
    running = cluster.running_pid_and_port()
    assert running is not None and running[1] == cluster.port
    _query(cluster, "CREATE TABLE IF NOT EXISTS marker (v text)")
    _query(cluster, "INSERT INTO marker VALUES ('kept') RETURNING v")

    assert cluster.ensure_running() is False  # reused, not restarted
    assert cluster.running_pid_and_port() == running
    assert _query(cluster, "SELECT v FROM marker") == "kept"
    assert _query(cluster, "SELECT extname FROM pg_extension WHERE extname = 'vector'") == "vector"


def test_a_stopped_cluster_starts_again_with_its_data(cluster: EmbeddedPostgres) -> None:
    cluster.ensure_running()
    cluster.stop()
    assert not cluster.is_running()
    assert cluster.ensure_running() is True
    assert _query(cluster, "SELECT v FROM marker") == "kept"


def test_the_same_cluster_on_another_port_is_refused(cluster: EmbeddedPostgres) -> None:
    cluster.ensure_running()
    elsewhere = EmbeddedPostgres(cluster.data_dir, free_port())
    with pytest.raises(EmbeddedPostgresError, match="runs on port"):
        elsewhere.ensure_running()


def test_a_port_taken_by_another_server_is_refused(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        server = EmbeddedPostgres(tmp_path / "postgres", port)
        with pytest.raises(EmbeddedPostgresError, match="taken by another server"):
            server.ensure_running()
    assert not (server.pgdata / "PG_VERSION").exists()


def test_a_stale_pid_file_is_not_a_running_server(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "postgres", free_port())
    server.pgdata.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (server.pgdata / "postmaster.pid").write_text(f"{dead.pid}\n/x\n0\n{server.port}\n\n\n\n")
    assert not server.is_running()


def test_settings_locate_the_cluster_under_the_data_dir(tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path, embedded_pg_port=12345)
    server = embedded_postgres_for(settings)
    assert server.data_dir == tmp_path / "postgres"
    assert server.port == 12345
    assert server.url.replace("+asyncpg", "") == settings.sqlalchemy_url.replace("+asyncpg", "")


def test_the_cluster_runs_with_the_configured_shared_buffers() -> None:
    root = postgres_tmp_dir()
    settings = CoreSettings(
        data_dir=root, embedded_pg_port=free_port(), embedded_pg_shared_buffers="192MB"
    )
    server = embedded_postgres_for(settings)
    try:
        server.ensure_running()
        assert _query(server, "SHOW shared_buffers") == "192MB"
    finally:
        server.destroy()
        shutil.rmtree(root, ignore_errors=True)
    with pytest.raises(ValidationError):
        CoreSettings(embedded_pg_shared_buffers="lots; DROP")


def test_a_database_url_means_no_embedded_cluster(tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path, database_url="postgresql://elsewhere/db")
    assert ensure_database(settings) == (None, False)
    assert not (tmp_path / "postgres").exists()


def test_sift_db_commands(
    pg_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SIFT_DATABASE_URL", raising=False)
    monkeypatch.setenv("SIFT_DATA_DIR", str(pg_tmp))
    monkeypatch.setenv("SIFT_EMBEDDED_PG_PORT", str(port))
    try:
        assert main(["db", "status"]) == 3
        assert main(["db", "start"]) == 0
        assert main(["db", "start"]) == 0
        assert main(["db", "status"]) == 0
        assert main(["db", "url"]) == 0
        out = capsys.readouterr().out
        assert "not running" in out
        assert "started: " in out and "already running: " in out
        assert f"port {port})" in out
        assert f"127.0.0.1:{port}/sift" in out
    finally:
        assert main(["db", "stop"]) == 0
    assert main(["db", "status"]) == 3


def test_a_failed_start_says_why(pg_tmp: Path) -> None:
    server = EmbeddedPostgres(pg_tmp / "postgres", free_port())
    server.start()
    server.stop()
    (server.pgdata / "postgresql.conf").write_text("this is not = valid = config\n")
    with pytest.raises(EmbeddedPostgresError, match="did not start") as failure:
        server.start()
    assert "syntax error" in str(failure.value)
