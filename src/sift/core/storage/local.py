"""Files under a directory: temp file, fsync, atomic rename; nothing half-written is visible."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import anyio
import anyio.to_thread
import structlog

from sift.core.storage.base import (
    DEFAULT_CHUNK_SIZE,
    Data,
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    SizeGuard,
    Storage,
    StoredObject,
    iterate,
    validate_key,
)

log = structlog.get_logger()

TEMP_PREFIX = ".tmp-"  # keys cannot start a segment with ".", so never a real object
WRITE_BUFFER = 1024 * 1024  # batch small chunks: one thread hop per MiB, not per chunk
_MKDIR_ATTEMPTS = 5


class LocalStorage(Storage):
    """Objects as files under `root`; the content type is not kept (the caller's row has it)."""

    backend = "local"

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).absolute()

    def _path(self, key: str) -> Path:
        path = self.root.joinpath(*validate_key(key).split("/"))
        if self.root not in path.parents:  # pragma: no cover - validate_key already refuses
            raise InvalidKey(f"invalid storage key {key!r}")
        return path

    async def put(
        self,
        key: str,
        data: Data,
        *,
        content_type: str = "application/octet-stream",
        max_size: int | None = None,
    ) -> StoredObject:
        path = self._path(key)
        file, temp = await anyio.to_thread.run_sync(self._create_temp, path.parent)
        digest = hashlib.sha256()
        guard = SizeGuard(max_size)
        buffer = bytearray()
        try:
            async for chunk in iterate(data):
                guard.add(chunk)
                digest.update(chunk)
                buffer += chunk
                if len(buffer) >= WRITE_BUFFER:
                    await anyio.to_thread.run_sync(file.write, bytes(buffer))
                    buffer.clear()
            if buffer:
                await anyio.to_thread.run_sync(file.write, bytes(buffer))
            await anyio.to_thread.run_sync(self._commit, file, temp, path)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._discard, file, temp)
            raise
        log.debug("storage.put", backend=self.backend, size=guard.size)
        return StoredObject(key=key, size=guard.size, sha256=digest.hexdigest())

    def _create_temp(self, directory: Path) -> tuple[BinaryIO, Path]:
        # A concurrent delete may prune the directory between mkdir and mkstemp: retry.
        for attempt in range(_MKDIR_ATTEMPTS):
            directory.mkdir(parents=True, exist_ok=True)
            try:
                fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
            except FileNotFoundError:
                if attempt == _MKDIR_ATTEMPTS - 1:
                    raise
                continue
            return os.fdopen(fd, "wb"), Path(name)
        raise AssertionError("unreachable")  # pragma: no cover

    def _commit(self, file: BinaryIO, temp: Path, path: Path) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.replace(temp, path)
        _fsync_directory(path.parent)  # makes the rename itself durable

    def _discard(self, file: BinaryIO, temp: Path) -> None:
        file.close()
        temp.unlink(missing_ok=True)
        self._prune(temp.parent)

    def _prune(self, directory: Path) -> None:
        """Removes directories left empty, up to the root."""
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return  # not empty (or already gone): stop
            directory = directory.parent

    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            file = await anyio.open_file(path, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(f"No file at {key}") from None
        return self._stream(file, chunk_size)

    @staticmethod
    async def _stream(file: anyio.AsyncFile[bytes], chunk_size: int) -> AsyncIterator[bytes]:
        async with file:
            while chunk := await file.read(chunk_size):
                yield chunk

    async def delete(self, key: str) -> bool:
        path = self._path(key)
        return await anyio.to_thread.run_sync(self._delete, path)

    def _delete(self, path: Path) -> bool:
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return False
        _fsync_directory(path.parent)
        self._prune(path.parent)
        log.info("storage.deleted", backend=self.backend)
        return True

    async def exists(self, key: str) -> bool:
        path = self._path(key)
        return await anyio.to_thread.run_sync(path.is_file)

    async def size(self, key: str) -> int:
        path = self._path(key)
        try:
            info = await anyio.to_thread.run_sync(path.stat)
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(f"No file at {key}") from None
        if not stat.S_ISREG(info.st_mode):
            raise ObjectNotFound(f"No file at {key}")
        return info.st_size

    async def list_objects(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        # Walked in a worker thread, one directory per hop; temporary files start with "."
        # (never a key), so uploads in progress are not listed.
        directory = self.root
        if "/" in prefix:
            directory = self._path(prefix.rsplit("/", 1)[0])  # validated: no "..", no "/x"
        pending = [directory]
        found: list[ObjectInfo] = []
        while pending:
            entries = await anyio.to_thread.run_sync(_scan, pending.pop())
            for path, info in entries:
                if stat.S_ISDIR(info.st_mode):
                    pending.append(path)
                    continue
                key = path.relative_to(self.root).as_posix()
                if stat.S_ISREG(info.st_mode) and key.startswith(prefix):
                    modified = datetime.fromtimestamp(info.st_mtime, UTC)
                    found.append(ObjectInfo(key=key, size=info.st_size, modified_at=modified))
        for item in sorted(found, key=lambda item: item.key):
            yield item


def _scan(directory: Path) -> list[tuple[Path, os.stat_result]]:
    """The directory's entries whose names could be keys (none starts with a dot)."""
    try:
        with os.scandir(directory) as entries:
            return [
                (Path(entry.path), entry.stat(follow_symlinks=False))
                for entry in entries
                if not entry.name.startswith(".")
            ]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
