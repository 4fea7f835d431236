"""An upload on its way to storage: its blob key, its bytes sniffed and hashed as they stream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Protocol

import anyio
import structlog

from sift.core.storage import Storage, StoredObject
from sift.documents.documents.sniffing import SniffedType, Sniffer, is_markdown_name

log = structlog.get_logger()

UPLOAD_CHUNK = 256 * 1024


class Upload(Protocol):
    """What an upload offers (FastAPI's `UploadFile`): a name and its bytes, in chunks."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


def storage_key(org_id: uuid.UUID, document_id: uuid.UUID, version_id: uuid.UUID) -> str:
    return f"documents/{org_id}/{document_id}/{version_id}"


async def store_upload(
    storage: Storage, key: str, file: Upload, filename: str, max_size: int
) -> tuple[StoredObject, SniffedType]:
    """Streams `file` to `key`, sniffing its type; a refused type leaves nothing stored."""
    sniffer = Sniffer(markdown_name=is_markdown_name(filename))

    async def chunks() -> AsyncIterator[bytes]:
        while chunk := await file.read(UPLOAD_CHUNK):
            sniffer.feed(chunk)
            yield chunk
        sniffer.finish()  # a refused type raises here, before the object is kept

    stored = await storage.put(key, chunks(), max_size=max_size)
    return stored, sniffer.finish()


async def forget_blob(storage: Storage, key: str) -> None:
    """Removes a blob whose rows were never written (shielded: also on cancellation)."""
    with anyio.CancelScope(shield=True):
        try:
            await storage.delete(key)
        except Exception:
            log.exception("document.blob_cleanup_failed", key=key)
