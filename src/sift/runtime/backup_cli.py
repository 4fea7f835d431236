"""`sift backup` and `sift restore`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sift.core.config import CoreSettings


@contextlib.contextmanager
def _database(settings: CoreSettings) -> Iterator[None]:
    """The embedded cluster running for the command; stopped after it if it started here."""
    from sift.runtime.infra import ensure_database

    server, started = ensure_database(settings)
    try:
        yield
    finally:
        if server is not None and started:
            server.stop(quiet=True)


def cmd_backup(args: argparse.Namespace) -> int:
    from sift.runtime.backup import BackupSettings, run_backup
    from sift.runtime.cli import load_settings

    settings = load_settings(process="backup")
    config = BackupSettings()
    keep = config.keep if args.keep is None else args.keep
    with _database(settings):
        result = asyncio.run(
            run_backup(settings, args.to or config.target(settings), key=config.key(), keep=keep)
        )
    tables = result.manifest["database"]["tables"]
    print(
        f"backup {result.path}: {len(tables)} tables, {sum(tables.values())} rows, "
        f"{len(result.manifest['storage']['files'])} files, {result.seconds:.1f} s"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from sift.runtime.backup import BackupSettings
    from sift.runtime.cli import load_settings
    from sift.runtime.restore import run_restore

    settings = load_settings(process="restore")
    with _database(settings):
        result = asyncio.run(run_restore(settings, args.source, key=BackupSettings().key()))
    print(
        f"restored {result.path}: {len(result.tables)} tables, "
        f"{sum(result.tables.values())} rows, {result.files} files, {result.seconds:.1f} s"
    )
    return 0


def add_backup_parsers(commands: Any) -> None:
    """`commands`: the `sift` parser's subparsers."""
    backup = commands.add_parser(
        "backup", help="dump every service schema and copy the stored files, with checksums"
    )
    backup.add_argument("--to", type=Path, help="target directory (default: SIFT_BACKUP_DIRECTORY)")
    backup.add_argument(
        "--keep", type=int, help="finished backups to keep (default: SIFT_BACKUP_KEEP)"
    )
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore", help="a backup into an empty database and storage (checked before and after)"
    )
    restore.add_argument("source", type=Path, help="a backup, or a directory of them (the newest)")
    restore.set_defaults(handler=cmd_restore)
