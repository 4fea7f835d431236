"""One Redis subscription per process for all its open streams.

A pub/sub connection is held for as long as it listens: one per stream would take a
connection of the app's Redis pool (100) per open stream, and the 101st stream would leave
every request of the replica without Redis. So a process subscribes once, to the channels
of the users with an open stream, and wakes the streams of a channel when it signals.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from sift.core.events.bus import as_text
from sift.notifications.inapp.fanout import Signal

log = structlog.get_logger()

# Shorter than the Redis client's socket timeout: a quiet channel is not a dead one.
_POLL_SECONDS = 1.0
_RETRY_SECONDS = 1.0


class Subscriptions:
    def __init__(self, redis: Redis) -> None:
        self._pubsub: PubSub = redis.pubsub(ignore_subscribe_messages=True)
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None

    @property
    def channels(self) -> set[str]:
        """The channels some open stream of this process listens to."""
        return set(self._waiters)

    @contextlib.asynccontextmanager
    async def listen(self, channel: str) -> AsyncIterator[asyncio.Event]:
        """An event set at each signal on `channel` (the listener clears it)."""
        woken = asyncio.Event()
        async with self._lock:
            if channel not in self._waiters:
                await self._pubsub.subscribe(channel)
            self._waiters.setdefault(channel, set()).add(woken)
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read())
        try:
            yield woken
        finally:
            async with self._lock:
                waiters = self._waiters.get(channel, set())
                waiters.discard(woken)
                if not waiters:
                    self._waiters.pop(channel, None)
                    with contextlib.suppress(Exception):  # a dead connection forgets it anyway
                        await self._pubsub.unsubscribe(channel)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=_POLL_SECONDS
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis went away: wake every stream to read the table (it may have missed a
                # signal), then retry; the client subscribes again when it reconnects.
                log.warning("notifications.subscriptions_failed", exc_info=True)
                self._wake_all()
                await asyncio.sleep(_RETRY_SECONDS)
                continue
            if message is None or Signal.decode(message.get("data")) is None:
                continue
            for woken in self._waiters.get(as_text(message.get("channel")), ()):
                woken.set()

    def _wake_all(self) -> None:
        for waiters in self._waiters.values():
            for woken in waiters:
                woken.set()
