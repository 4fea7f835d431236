"""`sift restore`: a backup (`sift.runtime.backup`) into an empty database and storage.

Everything is checked before anything is written (the checksums, the key, an empty
target); after `pg_restore` the row count of every table must equal the manifest's.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import structlog

from sift import SERVICES
from sift.core.config import CoreSettings
from sift.core.storage import create_storage
from sift.runtime.backup import (
    DUMP,
    FILES,
    BackupError,
    fernet,
    libpq_url,
    pg_env,
    pg_tool,
    plain,
    read_manifest,
    resolve,
    table_counts,
    url_without_password,
    verify,
)

log = structlog.get_logger()


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    tables: dict[str, int]
    files: int
    seconds: float


def _existing_tables(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ANY(%s)",
            (list(SERVICES),),
        ).fetchone()
    return int(row[0]) if row else 0


def _pg_restore(url: str, dump: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".dump") as plain:
        plain.write(dump)
        plain.flush()
        argv = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        argv += ["--single-transaction", "-d", url_without_password(url), plain.name]
        result = subprocess.run(argv, env=pg_env(url), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


async def _put_files(
    settings: CoreSettings, path: Path, manifest: dict[str, Any], cipher: Any
) -> int:
    storage = create_storage(settings)
    try:
        async for _ in storage.list_objects():
            raise BackupError("the storage is not empty: restore into an empty one")
        for item in manifest["storage"]["files"]:
            data = plain(path / FILES / item["key"], cipher)
            stored = await storage.put(item["key"], data)
            if stored.sha256 != item["sha256"]:
                raise BackupError(f"{item['key']}: stored bytes differ from the backup")
    finally:
        await storage.aclose()
    return len(manifest["storage"]["files"])


async def run_restore(
    settings: CoreSettings, source: Path, *, key: str | None = None
) -> RestoreResult:
    started = time.monotonic()
    path = resolve(source)
    manifest = read_manifest(path)
    if manifest["encrypted"] and not key:
        raise BackupError("the backup is encrypted: set SIFT_BACKUP_ENCRYPTION_KEY")
    cipher = fernet(key) if manifest["encrypted"] else None
    damaged = list(verify(path, manifest, cipher))
    if damaged:
        raise BackupError(f"checksums differ, nothing restored: {', '.join(damaged)}")
    url = libpq_url(settings)
    if _existing_tables(url):
        raise BackupError("the database already has Sift's tables: restore into an empty one")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    dump = plain(path / DUMP, cipher)
    if hashlib.sha256(dump).hexdigest() != manifest["database"]["sha256"]:
        raise BackupError(f"{DUMP}: changed while restoring")  # pragma: no cover
    _pg_restore(url, dump)
    with psycopg.connect(url) as connection:
        counts = table_counts(connection)
    if counts != manifest["database"]["tables"]:
        differ = sorted(
            name
            for name in set(counts) | set(manifest["database"]["tables"])
            if counts.get(name) != manifest["database"]["tables"].get(name)
        )
        raise BackupError(f"row counts differ after the restore: {', '.join(differ)}")
    files = await _put_files(settings, path, manifest, cipher)
    seconds = time.monotonic() - started
    log.info(
        "restore.done", path=str(path), tables=len(counts), files=files, seconds=round(seconds, 2)
    )
    return RestoreResult(path, counts, files, seconds)
