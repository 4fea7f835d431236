"""`sift backup` and `sift restore`: every service schema and every stored file, checked.

A backup is a directory `<target>/<UTC time>/`:
- `database.dump`: `pg_dump --format=custom` of the service schemas, taken in one exported
  snapshot, so the row counts the manifest records are those of the dump;
- `files/<key>`: each storage object (local or S3) as it was read;
- `manifest.json`: when, the row count of every table, each file's size and SHA-256 (of
  the plain bytes), and whether the files are encrypted (Fernet, key from settings).
`manifest.json` is written last: a directory without one is an unfinished backup.
Restore refuses a database that already has Sift's tables, checks every checksum before
it writes anything, and compares the row counts after `pg_restore`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import structlog
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from sift import SERVICES
from sift.core.config import CoreSettings, SiftSettings
from sift.core.storage import create_storage

log = structlog.get_logger()

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
FORMAT_VERSION = 1


class BackupError(RuntimeError):
    pass


class BackupSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_BACKUP_")

    directory: Path | None = None  # defaults to <data_dir>/backups
    # A Fernet key (`Fernet.generate_key()`): the files are encrypted when it is set.
    encryption_key: SecretStr | None = None
    keep: int = 7  # finished backups kept; older ones are deleted after each backup
    # When the scheduler runs `sift backup` (crontab, UTC); empty: never (cron or a CronJob
    # runs it instead). The SiftBackupTooOld alert expects one a day.
    schedule: str = "30 2 * * *"

    def target(self, settings: CoreSettings) -> Path:
        return self.directory or settings.data_dir / "backups"

    def key(self) -> str | None:
        return self.encryption_key.get_secret_value() if self.encryption_key else None


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    seconds: float


def pg_tool(name: str) -> str:
    """The embedded PostgreSQL's own tools when installed: they are the newest major
    version, and pg_dump refuses a server newer than itself."""
    try:
        from sift.runtime.embedded_postgres import _bin_dir

        bundled = _bin_dir() / name
        if bundled.exists():
            return str(bundled)
    except ImportError:  # pragma: no cover - the package is a dependency
        pass
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return found


def libpq_url(settings: CoreSettings) -> str:
    url = settings.sqlalchemy_url
    return "postgresql://" + url.split("://", 1)[1]


def pg_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    password = urlsplit(url).password
    if password:
        env["PGPASSWORD"] = password  # not on the command line, where `ps` shows it
    return env


def url_without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
    return parts._replace(netloc=netloc).geturl()


def table_counts(connection: psycopg.Connection[Any]) -> dict[str, int]:
    """Rows of every table in the service schemas (`schema.table`)."""
    tables = connection.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_type = 'BASE TABLE' AND table_schema = ANY(%s)"
        " ORDER BY table_schema, table_name",
        (list(SERVICES),),
    ).fetchall()
    counts = {}
    for schema, table in tables:
        query = psycopg.sql.SQL("SELECT count(*) FROM {}.{}").format(
            psycopg.sql.Identifier(schema), psycopg.sql.Identifier(table)
        )
        row = connection.execute(query).fetchone()
        counts[f"{schema}.{table}"] = int(row[0]) if row else 0
    return counts


def fernet(key: str | None) -> Fernet | None:
    return Fernet(key.encode()) if key else None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _encrypt_in_place(path: Path, cipher: Fernet) -> None:
    # Fernet works on whole messages: a file is read into memory once (uploads are capped).
    path.write_bytes(cipher.encrypt(path.read_bytes()))


def _dump(url: str, snapshot: str, out: Path) -> None:
    argv = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    argv += [f"--snapshot={snapshot}", f"--file={out}"]
    argv += [f"--schema={schema}" for schema in SERVICES]
    argv.append(url_without_password(url))
    result = subprocess.run(argv, env=pg_env(url), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


async def _copy_files(settings: CoreSettings, into: Path, cipher: Fernet | None) -> list[Any]:
    storage = create_storage(settings)
    files = []
    try:
        async for info in storage.list_objects():
            path = into / info.key
            path.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            with path.open("wb") as out:
                async for chunk in await storage.open(info.key):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if cipher is not None:
                _encrypt_in_place(path, cipher)
            files.append({"key": info.key, "size": size, "sha256": digest.hexdigest()})
    finally:
        await storage.aclose()
    return files


def backup_dirs(target: Path) -> list[Path]:
    """Finished backups in `target`, oldest first."""
    if not target.is_dir():
        return []
    return sorted(path.parent for path in target.glob(f"*/{MANIFEST}"))


def prune(target: Path, keep: int) -> list[Path]:
    """Deletes all but the `keep` newest finished backups, and unfinished ones older than
    the newest finished one."""
    finished = backup_dirs(target)
    doomed = finished[:-keep] if keep > 0 else []
    if finished:
        doomed += [
            path
            for path in target.iterdir()
            if path.is_dir() and path not in finished and path.name < finished[-1].name
        ]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


async def run_backup(
    settings: CoreSettings, target: Path, *, key: str | None = None, keep: int = 0
) -> BackupResult:
    started = time.monotonic()
    cipher = fernet(key)
    stamp = datetime.now(UTC)
    path = target / stamp.strftime("%Y%m%dT%H%M%S.%fZ")
    path.mkdir(parents=True)
    url = libpq_url(settings)
    # One snapshot for the counts and the dump: the transaction exporting it stays open
    # until pg_dump has started on it.
    with psycopg.connect(url, autocommit=False) as connection:
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = connection.execute("SELECT pg_export_snapshot(), now()").fetchone()
        assert row is not None
        snapshot, snapshot_time = row
        counts = table_counts(connection)
        _dump(url, snapshot, path / DUMP)
        connection.rollback()
    dump_sha = _sha256_file(path / DUMP)
    if cipher is not None:
        _encrypt_in_place(path / DUMP, cipher)
    files = await _copy_files(settings, path / FILES, cipher)
    manifest = {
        "format": FORMAT_VERSION,
        "started_at": stamp.isoformat(),
        # What the backup holds is the database as of this instant (the recovery point).
        "snapshot_at": snapshot_time.astimezone(UTC).isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "encrypted": cipher is not None,
        "database": {"file": DUMP, "sha256": dump_sha, "tables": counts},
        "storage": {"backend": settings.storage.backend, "files": files},
    }
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    removed = prune(target, keep) if keep else []
    await _record_success(settings)
    seconds = time.monotonic() - started
    log.info(
        "backup.done",
        path=str(path),
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(files),
        seconds=round(seconds, 2),
        pruned=len(removed),
    )
    return BackupResult(path, manifest, seconds)


async def _record_success(settings: CoreSettings) -> None:
    """For `sift_backup_last_success_timestamp_seconds` (the backup-too-old alert)."""
    from sift.core.backlog_metrics import backup_key
    from sift.core.redis import create_redis

    redis = create_redis(settings)
    try:
        await redis.set(backup_key(settings), str(time.time()))
    except Exception:  # the backup itself is complete; only its metric is late
        log.warning("backup.not_recorded", exc_info=True)
    finally:
        await redis.aclose()


def backup_job() -> None:
    """The scheduler's backup (`SIFT_BACKUP_SCHEDULE`)."""
    from sift.core.scheduling import job_context

    context = job_context()
    config = BackupSettings()
    target = config.target(context.settings)
    context.run(run_backup(context.settings, target, key=config.key(), keep=config.keep))


def read_manifest(path: Path) -> dict[str, Any]:
    if (path / MANIFEST).is_file():
        manifest: dict[str, Any] = json.loads((path / MANIFEST).read_text())
        return manifest
    finished = backup_dirs(path)  # the target directory: its newest backup
    if not finished:
        raise BackupError(f"no finished backup (no {MANIFEST}) in {path}")
    return read_manifest(finished[-1])


def resolve(path: Path) -> Path:
    return path if (path / MANIFEST).is_file() else backup_dirs(path)[-1]


def plain(path: Path, cipher: Fernet | None) -> bytes:
    data = path.read_bytes()
    if cipher is None:
        return data
    try:
        return cipher.decrypt(data)
    except InvalidToken:
        raise BackupError(f"{path.name}: wrong encryption key or damaged file") from None


def verify(path: Path, manifest: dict[str, Any], cipher: Fernet | None) -> Iterator[str]:
    """Names of the files whose bytes do not match the manifest."""
    dump = plain(path / DUMP, cipher)
    if hashlib.sha256(dump).hexdigest() != manifest["database"]["sha256"]:
        yield DUMP
    for item in manifest["storage"]["files"]:
        file = path / FILES / item["key"]
        if not file.is_file() or hashlib.sha256(plain(file, cipher)).hexdigest() != item["sha256"]:
            yield f"{FILES}/{item['key']}"
