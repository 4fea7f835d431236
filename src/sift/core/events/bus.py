"""The Redis Stream between the relay and the consumer groups: keys and entry encoding."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.typing import EncodableT, FieldT
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from sift.core.config import CoreSettings

# Fields of a stream entry. The envelope travels as the JSON the producer committed; `id` and
# `type` are copies that make XRANGE output readable and let a consumer skip without parsing.
FIELD_ID = "id"
FIELD_TYPE = "type"
FIELD_ENVELOPE = "envelope"
# Set on an entry re-driven from the dead-letter stream: only that consumer group applies it.
FIELD_REDRIVE_GROUP = "redrive_group"
# The relay's span, which consumers continue (sift.core.events.tracing).
FIELD_TRACEPARENT = "traceparent"


def stream_key(settings: CoreSettings) -> str:
    return settings.redis_key(settings.events.stream)


def dead_letter_key(settings: CoreSettings) -> str:
    return settings.redis_key(settings.events.dead_letter_stream)


def encode_entry(
    *,
    event_id: str,
    event_type: str,
    envelope_json: str,
    redrive_group: str | None = None,
    traceparent: str | None = None,
) -> dict[FieldT, EncodableT]:
    fields: dict[FieldT, EncodableT] = {
        FIELD_ID: event_id,
        FIELD_TYPE: event_type,
        FIELD_ENVELOPE: envelope_json,
    }
    if redrive_group is not None:
        fields[FIELD_REDRIVE_GROUP] = redrive_group
    if traceparent is not None:
        fields[FIELD_TRACEPARENT] = traceparent
    return fields


def as_text(value: Any) -> str:
    """A Redis reply item as text (clients may or may not decode responses)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


@dataclass(frozen=True)
class StreamEntry:
    message_id: str
    fields: dict[str, str]


def decode_entries(raw: Any) -> list[StreamEntry]:
    """`[(id, {field: value}), ...]` as returned by XRANGE, XREADGROUP and XAUTOCLAIM."""
    entries: list[StreamEntry] = []
    for message_id, fields in raw or ():
        decoded = (
            {as_text(key): as_text(value) for key, value in fields.items()}
            if isinstance(fields, Mapping)
            else {}
        )
        entries.append(StreamEntry(as_text(message_id), decoded))
    return entries


async def wait_for_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake up as soon as `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def backoff_seconds(failures: int, *, base: float, cap: float = 10.0) -> float:
    """Exponential back-off with jitter, so that replicas do not retry in lockstep."""
    delay: float = min(cap, base * 2 ** min(failures, 16))
    return delay * random.uniform(0.5, 1.0)


def is_unavailable(exc: BaseException) -> bool:
    """The database or Redis cannot be reached: no event's fault, so not a failed attempt."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        OperationalError
        | InterfaceError
        | RedisConnectionError
        | RedisTimeoutError
        | ConnectionError
        | TimeoutError,
    )


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
