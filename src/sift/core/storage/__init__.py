"""File blobs: `local` (a directory under the data dir) or `s3`, chosen by settings.storage.

storage = create_storage(settings)            # once per process, e.g. in the lifespan
stored = await storage.put(key, request.stream(), content_type=..., max_size=...)
async for chunk in await storage.open(key): ...
"""

from __future__ import annotations

from sift.core.config import CoreSettings
from sift.core.storage.base import (
    DEFAULT_CHUNK_SIZE,
    DeletionRefused,
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    ObjectTooLarge,
    Storage,
    StoredObject,
    validate_key,
)
from sift.core.storage.local import LocalStorage
from sift.core.storage.s3 import S3Storage

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DeletionRefused",
    "InvalidKey",
    "LocalStorage",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectTooLarge",
    "S3Storage",
    "Storage",
    "StoredObject",
    "create_storage",
    "validate_key",
]


def create_storage(settings: CoreSettings) -> Storage:
    config = settings.storage
    if config.backend == "s3":
        return S3Storage.from_settings(config)
    return LocalStorage(config.local_root or settings.data_dir / "files")
