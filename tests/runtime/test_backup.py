"""`sift backup` and `sift restore` against real PostgreSQL and local storage: the rows and
files come back byte for byte, and every way a restore could go wrong is refused first."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from sift.core.backlog_metrics import backup_key
from sift.core.config import CoreSettings, StorageSettings
from sift.core.storage import create_storage
from sift.runtime.backup import MANIFEST, BackupError, backup_dirs, prune, run_backup
from sift.runtime.embedded_postgres import EmbeddedPostgres
from sift.runtime.restore import run_restore

FILES = {"documents/a/v1": b"first version\n", "documents/a/v2": os.urandom(70_000)}


def libpq(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def empty_database(postgres: EmbeddedPostgres) -> Iterator[str]:
    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = libpq(postgres.url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("SET statement_timeout = 0")
        connection.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("SET statement_timeout = 0")
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
async def source(settings: CoreSettings, tmp_path: Path) -> AsyncIterator[CoreSettings]:
    """The test database with known rows committed, and files in a local storage."""
    source = settings.model_copy(
        update={"storage": StorageSettings(backend="local", local_root=tmp_path / "files")}
    )
    storage = create_storage(source)
    for key, data in FILES.items():
        await storage.put(key, data)
    ids = [uuid.uuid4() for _ in range(3)]
    url = libpq(settings.sqlalchemy_url)
    with psycopg.connect(url, autocommit=True) as connection:
        for version_id in ids:
            connection.execute(
                "INSERT INTO search.documents_index (version_id, document_id, org_id,"
                " collection_id, status, storage_key, content_type, announced_at, queued_at)"
                " VALUES (%s, %s, %s, %s, 'indexed', 'k', 'text/plain', now(), now())",
                (version_id, uuid.uuid4(), uuid.uuid4(), uuid.uuid4()),
            )
    try:
        yield source
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                "DELETE FROM search.documents_index WHERE version_id = ANY(%s)", (ids,)
            )


def target_settings(source: CoreSettings, url: str, root: Path) -> CoreSettings:
    return source.model_copy(
        update={
            "database_url": url,
            "storage": StorageSettings(backend="local", local_root=root),
        }
    )


async def test_an_encrypted_backup_restores_every_row_and_file(
    source: CoreSettings, empty_database: str, tmp_path: Path, redis: Redis
) -> None:
    key = Fernet.generate_key().decode()
    result = await run_backup(source, tmp_path / "backups", key=key)

    manifest = json.loads((result.path / MANIFEST).read_text())
    assert manifest["encrypted"] is True
    assert manifest["database"]["tables"]["search.documents_index"] >= 3
    assert {f["key"]: f["sha256"] for f in manifest["storage"]["files"]} == {
        key_: digest(data) for key_, data in FILES.items()
    }
    # Encrypted at rest: neither the dump nor a file shows its plain bytes.
    assert b"first version" not in (result.path / "files/documents/a/v1").read_bytes()
    assert not (result.path / "database.dump").read_bytes().startswith(b"PGDMP")
    assert float(await redis.get(backup_key(source))) == pytest.approx(
        datetime.now(UTC).timestamp(), abs=120
    )

    target = target_settings(source, empty_database, tmp_path / "restored-files")
    restored = await run_restore(target, tmp_path / "backups", key=key)

    assert restored.tables == manifest["database"]["tables"]
    storage = create_storage(target)
    for key_, data in FILES.items():
        assert digest(await storage.read(key_)) == digest(data)
    with psycopg.connect(empty_database) as connection:
        heads = connection.execute("SELECT version_num FROM identity.alembic_version").fetchall()
    assert heads  # migrations' state came back: `sift up` migrates nothing more


async def test_a_restore_refuses_before_writing_anything(
    source: CoreSettings, empty_database: str, tmp_path: Path, redis: Redis
) -> None:
    key = Fernet.generate_key().decode()
    result = await run_backup(source, tmp_path / "backups", key=key)
    target = target_settings(source, empty_database, tmp_path / "restored-files")

    with pytest.raises(BackupError, match="encrypted"):
        await run_restore(target, result.path)
    with pytest.raises(BackupError, match="wrong encryption key"):
        await run_restore(target, result.path, key=Fernet.generate_key().decode())
    # A database that has Sift's tables (the source itself) is not overwritten.
    with pytest.raises(BackupError, match="already has Sift's tables"):
        await run_restore(source, result.path, key=key)

    damaged = result.path / "files/documents/a/v2"
    cipher = Fernet(key.encode())
    damaged.write_bytes(cipher.encrypt(cipher.decrypt(damaged.read_bytes()) + b"!"))
    with pytest.raises(BackupError, match="nothing restored: files/documents/a/v2"):
        await run_restore(target, result.path, key=key)
    with psycopg.connect(empty_database) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'identity'"
        ).fetchone()
    assert tables == (0,)
    assert not (tmp_path / "restored-files").exists() or not any(
        (tmp_path / "restored-files").rglob("*")
    )


def test_retention_keeps_the_newest_finished_backups(tmp_path: Path) -> None:
    for name in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
        (tmp_path / name).mkdir()
        (tmp_path / name / MANIFEST).write_text("{}")
    (tmp_path / "20260101T120000Z").mkdir()  # unfinished (no manifest), older than the newest
    (tmp_path / "20260104T000000Z").mkdir()  # unfinished and newer: may be running now
    removed = prune(tmp_path, keep=2)
    assert sorted(path.name for path in removed) == ["20260101T000000Z", "20260101T120000Z"]
    assert [path.name for path in backup_dirs(tmp_path)] == ["20260102T000000Z", "20260103T000000Z"]
    assert (tmp_path / "20260104T000000Z").is_dir()


def test_the_cli_backs_up_and_says_what(source: CoreSettings, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIFT_")}
    env |= {
        "SIFT_ENV": "test",
        "SIFT_DATABASE_URL": source.database_url or "",
        "SIFT_REDIS_URL": source.redis_url,
        "SIFT_REDIS_PREFIX": source.redis_prefix,
        "SIFT_DATA_DIR": str(tmp_path / "data"),
        "SIFT_STORAGE_LOCAL_ROOT": str(tmp_path / "files"),
        "SIFT_BACKUP_DIRECTORY": str(tmp_path / "cli-backups"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "sift.runtime", "backup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "2 files" in result.stdout
    (made,) = backup_dirs(tmp_path / "cli-backups")
    assert json.loads((made / MANIFEST).read_text())["encrypted"] is False
    shutil.rmtree(made / "files")
    empty = subprocess.run(
        [sys.executable, "-m", "sift.runtime", "restore", str(tmp_path / "cli-backups")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert empty.returncode == 1
    assert "sift restore: checksums differ" in empty.stderr
