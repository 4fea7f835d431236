"""Dead letters: events a consumer group gave up on, kept for admins to inspect and re-drive."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from sift.core.config import CoreSettings
from sift.core.events.bus import (
    FIELD_ENVELOPE,
    FIELD_ID,
    FIELD_TYPE,
    StreamEntry,
    as_text,
    dead_letter_key,
    decode_entries,
    encode_entry,
    stream_key,
)

log = structlog.get_logger()

MAX_ERROR_CHARS = 2000


class DeadLetterNotFound(LookupError):
    """No entry with this ID in the dead-letter stream."""


class DeadLetter(BaseModel):
    """One dead-letter entry: the event as it was on the stream, and why it was given up."""

    model_config = ConfigDict(frozen=True)

    id: str
    event_id: str
    type: str
    group: str
    consumer: str
    attempts: int
    error: str
    stream_id: str
    failed_at: datetime | None
    envelope: str

    @classmethod
    def from_entry(cls, entry: StreamEntry) -> DeadLetter:
        fields = entry.fields
        failed_at = fields.get("failed_at")
        return cls(
            id=entry.message_id,
            event_id=fields.get(FIELD_ID, ""),
            type=fields.get(FIELD_TYPE, ""),
            group=fields.get("group", ""),
            consumer=fields.get("consumer", ""),
            attempts=int(fields.get("attempts", "0") or 0),
            error=fields.get("error", ""),
            stream_id=fields.get("stream_id", ""),
            failed_at=datetime.fromisoformat(failed_at) if failed_at else None,
            envelope=fields.get(FIELD_ENVELOPE, ""),
        )


async def dead_letter(
    redis: Redis,
    settings: CoreSettings,
    entry: StreamEntry,
    *,
    group: str,
    consumer: str,
    attempts: int,
    error: str,
) -> str:
    """Copy `entry` to the dead-letter stream and acknowledge it for `group`, atomically."""
    fields: dict[FieldT, EncodableT] = {
        FIELD_ID: entry.fields.get(FIELD_ID, ""),
        FIELD_TYPE: entry.fields.get(FIELD_TYPE, ""),
        FIELD_ENVELOPE: entry.fields.get(FIELD_ENVELOPE, ""),
        "group": group,
        "consumer": consumer,
        "attempts": attempts,
        "error": error[:MAX_ERROR_CHARS],
        "stream_id": entry.message_id,
        "failed_at": datetime.now(UTC).isoformat(),
    }
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(
            dead_letter_key(settings),
            fields,
            maxlen=settings.events.stream_maxlen,
            approximate=True,
        )
        pipe.xack(stream_key(settings), group, entry.message_id)
        dead_letter_id, _ = await pipe.execute()
    return as_text(dead_letter_id)


async def list_dead_letters(
    redis: Redis, settings: CoreSettings, *, after: str | None = None, count: int = 100
) -> list[DeadLetter]:
    """Oldest first; pass the last ID seen as `after` for the next page."""
    raw = await redis.xrange(
        dead_letter_key(settings), min=f"({after}" if after else "-", max="+", count=count
    )
    return [DeadLetter.from_entry(entry) for entry in decode_entries(raw)]


async def get_dead_letter(redis: Redis, settings: CoreSettings, dead_letter_id: str) -> DeadLetter:
    raw = await redis.xrange(dead_letter_key(settings), min=dead_letter_id, max=dead_letter_id)
    entries = decode_entries(raw)
    if not entries:
        raise DeadLetterNotFound(dead_letter_id)
    return DeadLetter.from_entry(entries[0])


async def redrive_dead_letter(redis: Redis, settings: CoreSettings, dead_letter_id: str) -> str:
    """Put the event back on the stream for the group that gave up on it; the new stream ID.

    Other groups skip the re-driven copy. Appending and removing happen in one MULTI, so a
    crash leaves either the dead letter or the re-driven event, never neither.
    """
    letter = await get_dead_letter(redis, settings, dead_letter_id)
    fields = encode_entry(
        event_id=letter.event_id,
        event_type=letter.type,
        envelope_json=letter.envelope,
        redrive_group=letter.group,
    )
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(stream_key(settings), fields, maxlen=settings.events.stream_maxlen)
        pipe.xdel(dead_letter_key(settings), dead_letter_id)
        stream_id, _ = await pipe.execute()
    log.info(
        "dead_letter.redriven",
        dead_letter_id=dead_letter_id,
        event_id=letter.event_id,
        type=letter.type,
        group=letter.group,
        stream_id=as_text(stream_id),
    )
    return as_text(stream_id)


async def discard_dead_letter(redis: Redis, settings: CoreSettings, dead_letter_id: str) -> bool:
    """Remove a dead letter an admin decided not to re-drive; False if it was not there."""
    removed = int(await redis.xdel(dead_letter_key(settings), dead_letter_id))
    if removed:
        log.info("dead_letter.discarded", dead_letter_id=dead_letter_id)
    return removed > 0
