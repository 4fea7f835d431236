"""The storage interface: keys, stored objects, errors, and streaming helpers."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sift.core.errors import NotFound, PayloadTooLarge

DEFAULT_CHUNK_SIZE = 64 * 1024
MAX_KEY_LENGTH = 1024
MAX_SEGMENT_LENGTH = 255
# No segment may start with a dot: that rules out "." and ".." (traversal), hidden
# files, and the backends' own temporary names.
_SEGMENT = re.compile(r"^[A-Za-z0-9_~=+-][A-Za-z0-9._~=+-]*$")

Data = AsyncIterable[bytes] | bytes


class InvalidKey(ValueError):
    """A storage key that could escape its root or is not portable across backends."""


class DeletionRefused(RuntimeError):
    """The store kept some of the object (e.g. a version under an object-lock retention)."""


class ObjectNotFound(NotFound):
    code = "object-not-found"
    title = "File not found"


class ObjectTooLarge(PayloadTooLarge):
    code = "file-too-large"
    title = "File too large"

    def __init__(self, max_size: int) -> None:
        super().__init__(f"The file exceeds the limit of {max_size} bytes.", max_size=max_size)
        self.max_size = max_size


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str  # hex digest of the bytes as stored


@dataclass(frozen=True)
class ObjectInfo:
    """A stored object as a listing shows it."""

    key: str
    size: int
    modified_at: datetime  # aware, UTC: when the object was last written


def validate_key(key: str) -> str:
    """The key unchanged if it is a safe relative path such as "org/doc/v1"."""
    if not key or len(key.encode()) > MAX_KEY_LENGTH:
        raise InvalidKey(f"storage key must be 1 to {MAX_KEY_LENGTH} bytes")
    for segment in key.split("/"):
        if len(segment) > MAX_SEGMENT_LENGTH or not _SEGMENT.match(segment):
            raise InvalidKey(f"invalid storage key {key!r}")
    return key


async def iterate(data: Data) -> AsyncIterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        if data:
            yield bytes(data)
        return
    async for chunk in data:
        if chunk:
            yield bytes(chunk)


class SizeGuard:
    """Counts streamed bytes and stops the stream as soon as it passes the cap."""

    def __init__(self, max_size: int | None) -> None:
        self.max_size = max_size
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.max_size is not None and self.size > self.max_size:
            raise ObjectTooLarge(self.max_size)


class Storage(ABC):
    """Where file blobs live. Keys are relative paths: validate_key() says which."""

    backend: str

    @abstractmethod
    async def put(
        self,
        key: str,
        data: Data,
        *,
        content_type: str = "application/octet-stream",
        max_size: int | None = None,
    ) -> StoredObject:
        """Streams `data` to `key`, replacing any object there, all or nothing.

        Over `max_size` bytes it raises ObjectTooLarge and leaves nothing behind (an
        object already at `key` stays as it was).
        """

    @abstractmethod
    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The object's bytes as a stream; ObjectNotFound is raised here, before any byte."""

    @abstractmethod
    async def delete(self, key: str) -> bool:
        """Deletes the object for good; True if there was something to delete."""

    @abstractmethod
    async def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list_objects(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        """Every object whose key starts with `prefix` (a string prefix, not only a
        directory), in key order; objects still being written are not listed."""

    @abstractmethod
    async def size(self, key: str) -> int:
        """The object's size in bytes; ObjectNotFound if there is none."""

    async def read(self, key: str) -> bytes:
        """The whole object in memory: for small objects only."""
        return b"".join([chunk async for chunk in await self.open(key)])

    async def aclose(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Releases the backend's connections."""
