"""What every service does for a privacy request (GDPR export and erasure), written once.

Export: each service's consumer of `privacy.export_requested` gathers what it holds about
the user into an `ExportPart` (JSON files, and original files where it keeps any), stores
it under the request's prefix and answers `privacy.export_completed` with the part's key;
`audit` assembles the parts into the archive. No service reads another's part.

Erasure: each service deletes or anonymizes its rows, then `answer_erasure` forgets its own
published events that named the user (so that the event log is no back door) and answers
`privacy.erasure_completed` with its counts.
"""

from __future__ import annotations

import json
import tempfile
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any

import structlog
from sqlalchemy import Delete, Table, Text, Update, cast, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import (
    AccountErasureRequested,
    ErasureCompleted,
    ErasureRequested,
    ExportCompleted,
    ExportRequested,
    OrganizationErasureRequested,
    OrganizationRemovalRequested,
)
from sift.core.config import CoreSettings, get_settings
from sift.core.events.outbox import EventPublisher
from sift.core.events.tables import OutboxMixin
from sift.core.storage import Storage, StoredObject, create_storage

log = structlog.get_logger()

EXPORT_PREFIX = "privacy/exports"
# Stands in for an erased person in rows that stay (a shared document's uploader).
ERASED_USER_ID = uuid.UUID(int=0)
_COPY_CHUNK = 256 * 1024

ErasureRequest = (
    ErasureRequested
    | AccountErasureRequested
    | OrganizationErasureRequested
    | OrganizationRemovalRequested
)


def export_prefix(request_id: uuid.UUID) -> str:
    return f"{EXPORT_PREFIX}/{request_id}"


def part_key(request_id: uuid.UUID, service: str) -> str:
    return f"{export_prefix(request_id)}/parts/{service}.zip"


class _Runtime:
    """The settings, storage and Redis a privacy handler uses, made once per process."""

    def __init__(self) -> None:
        self._settings: CoreSettings | None = None
        self._storage: Storage | None = None

    def configure(self, settings: CoreSettings | None) -> None:
        """The process's settings (the consumer runner and tests call it before consuming);
        None goes back to the environment's."""
        self._settings = settings
        self._storage = None

    @property
    def settings(self) -> CoreSettings:
        return self._settings or get_settings()

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            self._storage = create_storage(self.settings)
        return self._storage


runtime = _Runtime()


def to_jsonable(value: Any) -> Any:
    """Rows and values as plain JSON (UUIDs, times and enums as text)."""
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def row_dict(row: Any, *, exclude: Sequence[str] = ()) -> dict[str, Any]:
    """A mapped row's columns as JSON (secrets listed in `exclude` left out)."""
    table: Table = row.__table__
    return {
        column.key: to_jsonable(getattr(row, column.key))
        for column in table.columns
        if column.key not in exclude
    }


class ExportPart:
    """One service's part of an export: JSON files and original files in one ZIP.

    Written to a temporary file (spooled in memory while small), so that large originals
    never sit in memory whole.
    """

    def __init__(self, service: str) -> None:
        self.service = service
        # Lives across several calls; `store` closes it.
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=8 * 1024 * 1024
        )
        self._zip = zipfile.ZipFile(self._file, "w", compression=zipfile.ZIP_DEFLATED)
        self.names: list[str] = []

    def add_json(self, name: str, data: Any) -> None:
        self._zip.writestr(name, json.dumps(to_jsonable(data), indent=2, ensure_ascii=False))
        self.names.append(name)

    async def add_file(self, name: str, chunks: AsyncIterator[bytes]) -> None:
        with self._zip.open(name, "w", force_zip64=True) as target:
            async for chunk in chunks:
                target.write(chunk)
        self.names.append(name)

    async def _bytes(self) -> AsyncIterator[bytes]:
        self._file.seek(0)
        while chunk := self._file.read(_COPY_CHUNK):
            yield chunk

    async def store(self, storage: Storage, request_id: uuid.UUID) -> StoredObject:
        self._zip.close()
        try:
            return await storage.put(
                part_key(request_id, self.service), self._bytes(), content_type="application/zip"
            )
        finally:
            self._file.close()


async def answer_export(
    session: AsyncSession,
    events: EventPublisher,
    request: ExportRequested,
    part: ExportPart,
    *,
    storage: Storage | None = None,
) -> ExportCompleted:
    """Stores `part` and publishes the service's answer, in the caller's transaction."""
    stored = await part.store(storage or runtime.storage, request.request_id)
    answer = ExportCompleted(
        request_id=request.request_id,
        user_id=request.user_id,
        service=part.service,
        storage_key=stored.key,
        size_bytes=stored.size,
        sha256=stored.sha256,
    )
    await events.publish(session, answer, actor_id=request.user_id, subject_id=request.user_id)
    log.info("privacy.export_part_stored", service=part.service, files=len(part.names))
    return answer


async def answer_erasure(
    session: AsyncSession,
    events: EventPublisher,
    request: ErasureRequest,
    *,
    service: str,
    erased: int,
    anonymized: int,
    outbox: type[OutboxMixin],
    kept_org_ids: Sequence[uuid.UUID] = (),
) -> ErasureCompleted:
    """Ends a service's part of an erasure, in the caller's transaction: forgets the service's
    published events that named the person (or organization), then publishes its answer
    (counts only)."""
    await session.flush()
    if isinstance(request, OrganizationErasureRequested | OrganizationRemovalRequested):
        subject = {"org_id": request.org_id}
    else:
        subject = {"user_id": request.user_id}
    await forget_published_events(session, outbox, str(next(iter(subject.values()))))
    answer = ErasureCompleted(
        request_id=request.request_id,
        service=service,
        erased=erased,
        anonymized=anonymized,
        kept_org_ids=list(kept_org_ids),
        **subject,
    )
    await events.publish(session, answer)
    log.info("privacy.erased", service=service, erased=erased, anonymized=anonymized)
    return answer


async def run_counted(session: AsyncSession, statements: Iterable[Delete | Update]) -> int:
    """Runs the DELETE and UPDATE statements in order: how many rows they touched."""
    touched = 0
    for statement in statements:
        result = await session.execute(statement)
        touched += int(getattr(result, "rowcount", 0) or 0)
    return touched


async def delete_by(session: AsyncSession, models: Iterable[Any], **where: Any) -> int:
    """Deletes each model's rows whose columns equal `where` (`user_id=…`, `org_id=…`), in
    the order given (children before parents): how many rows went."""
    return await run_counted(
        session,
        (
            delete(model).where(
                *(getattr(model, column) == value for column, value in where.items())
            )
            for model in models
        ),
    )


async def forget_published_events(
    session: AsyncSession, outbox_model: type[OutboxMixin], needle: str
) -> int:
    """Deletes this service's published outbox rows whose envelope contains `needle`.

    Unpublished rows stay: the relay has yet to deliver them (they are purged later).
    """
    result = await session.execute(
        delete(outbox_model)
        .where(outbox_model.published_at.is_not(None))
        .where(cast(outbox_model.envelope, Text).contains(needle, autoescape=True))
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def subject_of_erasure(
    session: AsyncSession, outbox_model: type[OutboxMixin], request_id: uuid.UUID
) -> uuid.UUID | None:
    """The user (or organization) this service erased for `request_id`, read from its own
    answer's event."""
    envelope = await session.scalar(
        select(outbox_model.envelope)
        .where(outbox_model.type == "privacy.erasure_completed")
        .where(outbox_model.envelope["data"]["request_id"].astext == str(request_id))
        .limit(1)
    )
    if envelope is None:
        return None
    return ErasureCompleted.model_validate(envelope["data"]).subject_id


async def forget_erasure_events(
    session: AsyncSession, outbox_model: type[OutboxMixin], request_id: uuid.UUID
) -> int:
    """On `privacy.erasure_finished`: drops the service's published events naming the user
    (or the organization)."""
    subject_id = await subject_of_erasure(session, outbox_model, request_id)
    if subject_id is None:
        return 0
    return await forget_published_events(session, outbox_model, str(subject_id))
