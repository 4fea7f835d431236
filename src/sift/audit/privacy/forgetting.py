"""After an erasure: the event stream and Redis keys forget the person too.

The stream keeps envelopes for replay until it is trimmed; an erased person's events are
removed from it (and from the dead letters) once every service has answered, and so are
Redis keys that carry their ID (rate-limit windows, caches).
"""

from __future__ import annotations

from redis.asyncio import Redis

from sift.core.config import CoreSettings
from sift.core.events.bus import as_text, dead_letter_key, stream_key

_BATCH = 1000


async def _forget_in_stream(redis: Redis, key: str, needles: list[bytes]) -> int:
    removed = 0
    start = "-"
    while True:
        entries = await redis.xrange(key, min=start, max="+", count=_BATCH)
        if not entries:
            return removed
        doomed: list[bytes | str] = [
            message_id
            for message_id, fields in entries
            if message_id is not None
            and any(
                needle in _as_bytes(value)
                for value in (fields or {}).values()
                for needle in needles
            )
        ]
        if doomed:
            removed += int(await redis.xdel(key, *doomed))
        if len(entries) < _BATCH:
            return removed
        start = "(" + as_text(entries[-1][0])


def _as_bytes(value: bytes | str | None) -> bytes:
    if isinstance(value, str):
        return value.encode()
    return value or b""


async def forget_in_redis(redis: Redis, settings: CoreSettings, needles: list[str]) -> int:
    """Removes stream entries and keys mentioning any of `needles`; how many went."""
    encoded = [needle.encode() for needle in needles if needle]
    removed = 0
    for key in (stream_key(settings), dead_letter_key(settings)):
        removed += await _forget_in_stream(redis, key, encoded)
    async for key in redis.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
        if any(needle in key for needle in encoded):
            removed += int(await redis.delete(key))
    return removed
