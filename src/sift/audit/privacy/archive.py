"""The archive of an export: every service's part under its own folder, and a README."""

from __future__ import annotations

import tempfile
import uuid
import zipfile
from collections.abc import AsyncIterator, Mapping
from datetime import datetime

from sift.core.privacy import export_prefix
from sift.core.storage import Storage, StoredObject

_CHUNK = 256 * 1024

README = """# Your data in Sift

Exported {created} for request {request_id}.

Each folder holds what one part of Sift keeps about you, as JSON (UTF-8, times in UTC):

- identity/: your profile, sign-in sessions, organizations and roles, API keys (names and
  prefixes only: secrets are never stored), two-step sign-in status and linked accounts.
- documents/: collections you created, documents you uploaded with every version's
  metadata, and the original files under documents/files/.
- search/: your saved searches and your search history (queries you ran).
- assistant/: your conversations with every question, answer and citation, and the
  feedback you gave.
- notifications/: the notifications you received and your notification preferences.
- audit/: your consent choices (analytics cookies, product e-mail) and their history, and
  the audit log's entries of what you did (sign-ins, uploads, changes), with the pseudonym
  that names you in the log read as your user ID.

Nothing about other people is included beyond what your own records name (for example
the title of a document another member uploaded that an answer cited).
"""


def archive_key(request_id: uuid.UUID) -> str:
    return f"{export_prefix(request_id)}/archive.zip"


async def _read_to_file(storage: Storage, key: str) -> tempfile.SpooledTemporaryFile[bytes]:
    # The caller closes it (`with`).
    buffer: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=8 * 1024 * 1024
    )
    async for chunk in await storage.open(key):
        buffer.write(chunk)
    buffer.seek(0)
    return buffer


async def assemble(
    storage: Storage, request_id: uuid.UUID, created: datetime, parts: Mapping[str, str]
) -> StoredObject:
    """Writes the archive from `parts` ({service: storage key}) and deletes the parts."""
    output: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=8 * 1024 * 1024
    )  # closed below, once stored
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.md", README.format(created=created.isoformat(), request_id=request_id)
        )
        for service, key in sorted(parts.items()):
            part_file = await _read_to_file(storage, key)
            with part_file, zipfile.ZipFile(part_file) as part:
                for info in part.infolist():
                    with (
                        part.open(info) as source,
                        archive.open(f"{service}/{info.filename}", "w", force_zip64=True) as target,
                    ):
                        while chunk := source.read(_CHUNK):
                            target.write(chunk)

    async def chunks() -> AsyncIterator[bytes]:
        output.seek(0)
        while chunk := output.read(_CHUNK):
            yield chunk

    try:
        stored = await storage.put(
            archive_key(request_id), chunks(), content_type="application/zip"
        )
    finally:
        output.close()
    for key in parts.values():
        await storage.delete(key)
    return stored
