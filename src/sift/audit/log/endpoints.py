"""`/api/audit`: the organization's audit log, its export and its chain's check."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from sift.audit.log.auth import AuditRead
from sift.audit.log.exceptions import InvalidTimeRange
from sift.audit.log.schemas import ActorRead, AuditEntryRead, ChainStatus, ExportFormat
from sift.audit.log.service import Filters, Shown, audit_log_service
from sift.core.db import Database, ReadSessionDep, get_database
from sift.core.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT, InvalidCursor, Page
from sift.core.text import StorableText

router = APIRouter(prefix="/api/audit", tags=["audit"])

ACTION_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
CSV_COLUMNS = (
    "seq",
    "id",
    "occurred_at",
    "recorded_at",
    "producer",
    "action",
    "actor_id",
    "actor_label",
    "actor_pseudonym",
    "target_type",
    "target_id",
    "ip",
    "user_agent",
    "data",
    "prev_hash",
    "hash",
)


def entry_filters(
    actor_id: uuid.UUID | None = None,
    action: Annotated[StorableText | None, Query(max_length=100, pattern=ACTION_PATTERN)] = None,
    target_type: Annotated[StorableText | None, Query(max_length=50)] = None,
    target_id: Annotated[StorableText | None, Query(max_length=200)] = None,
    occurred_from: Annotated[datetime | None, Query(alias="from")] = None,
    occurred_to: Annotated[datetime | None, Query(alias="to")] = None,
) -> Filters:
    """The filters of the list and of the export: `from` inclusive, `to` exclusive."""
    for moment in (occurred_from, occurred_to):
        if moment is not None and moment.tzinfo is None:
            raise InvalidTimeRange("`from` and `to` need a time zone (e.g. 2026-12-04T00:00Z).")
    if occurred_from and occurred_to and occurred_from >= occurred_to:
        raise InvalidTimeRange("`from` must be before `to`.")
    return Filters(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )


FiltersDep = Annotated[Filters, Depends(entry_filters)]
_FILTER_ERRORS = InvalidTimeRange.openapi()


def _read(shown: Shown) -> AuditEntryRead:
    entry = shown.entry
    actor = (
        ActorRead(id=shown.actor_id, label=shown.actor_label, pseudonym=entry.actor)
        if entry.actor
        else None
    )
    return AuditEntryRead(
        id=entry.id,
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        producer=entry.producer,
        actor=actor,
        action=entry.action,
        target_type=entry.target_type,
        target_id=shown.target_id,
        ip=shown.ip,
        user_agent=shown.user_agent,
        data=entry.data,
        hash=entry.hash,
        prev_hash=entry.prev_hash,
    )


@router.get(
    "/events",
    response_model=Page[AuditEntryRead],
    responses={**InvalidCursor.openapi(), **_FILTER_ERRORS},
)
async def list_events(
    principal: AuditRead,
    session: ReadSessionDep,
    filters: FiltersDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[AuditEntryRead]:
    """The organization's audit log, newest first, filtered."""
    items, next_cursor = await audit_log_service.page(
        session, principal.org_id, filters, limit=limit, cursor=cursor
    )
    return Page(items=[_read(item) for item in items], next_cursor=next_cursor)


@router.get(
    "/events/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every matching entry, oldest first, as CSV or a JSON array",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/AuditEntryRead"},
                    }
                },
            },
        },
        **_FILTER_ERRORS,
    },
)
async def export_events(
    principal: AuditRead,
    filters: FiltersDep,
    database: Annotated[Database, Depends(get_database)],
    format: ExportFormat = ExportFormat.csv,
) -> StreamingResponse:
    """Every matching entry of the organization's log, streamed (CSV or JSON)."""
    org_id = principal.org_id

    async def rows() -> AsyncIterator[str]:
        # Its own session: the request's is closed before the body streams.
        async with database.read_sessionmaker() as session:
            stream = audit_log_service.stream(session, org_id, filters)
            if format is ExportFormat.csv:
                async for line in _csv(stream):
                    yield line
            else:
                async for chunk in _json(stream):
                    yield chunk

    media_type = "text/csv; charset=utf-8" if format is ExportFormat.csv else "application/json"
    return StreamingResponse(
        rows(),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="audit-log.{format.value}"',
            "Cache-Control": "private, no-store",
        },
    )


async def _csv(stream: AsyncIterator[Shown]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(list(CSV_COLUMNS))
    async for shown in stream:
        read = _read(shown)
        yield line(
            [
                read.seq,
                read.id,
                read.occurred_at.isoformat(),
                read.recorded_at.isoformat(),
                read.producer,
                read.action,
                read.actor.id if read.actor and read.actor.id else "",
                read.actor.label if read.actor and read.actor.label else "",
                read.actor.pseudonym if read.actor else "",
                read.target_type or "",
                read.target_id or "",
                read.ip or "",
                read.user_agent or "",
                json.dumps(read.data, sort_keys=True, ensure_ascii=False),
                read.prev_hash,
                read.hash,
            ]
        )


async def _json(stream: AsyncIterator[Shown]) -> AsyncIterator[str]:
    yield "["
    first = True
    async for shown in stream:
        yield ("" if first else ",") + _read(shown).model_dump_json()
        first = False
    yield "]"


@router.get("/verify", response_model=ChainStatus)
async def verify_chain(principal: AuditRead, session: ReadSessionDep) -> ChainStatus:
    """Recompute the organization's hash chain; names the first entry that does not match."""
    check = await audit_log_service.verify(session, principal.org_id)
    return ChainStatus(
        ok=check.ok,
        checked=check.checked,
        first_mismatch_seq=check.first_mismatch_seq,
        first_mismatch_id=check.first_mismatch_id,
        first_seq=check.first_seq,
    )
