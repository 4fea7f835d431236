"""A consumer group member: read the event stream, apply each event once, dead-letter poison events.

A batch of events (one XREADGROUP, up to `batch_size`) is applied in one database
transaction together with their `processed_events` rows (consumer group, event ID), written
by one multi-row INSERT (`sift.core.events.batch`); a redelivered event finds its row and
only gets acknowledged. One transaction per batch, not per event: the round trips and the
commit (a WAL flush) were most of an event's cost. If any handler of the batch fails, the
whole transaction rolls back and the batch is applied again one event per transaction, so
that only the failing event is retried (or dead-lettered). XACK, one per batch, follows the
commit, so a crash in between (or a member killed mid-batch, whose transaction never
commits) redelivers events that then have no second effect. Messages of a consumer that died
are claimed by the others (XAUTOCLAIM) once idle for `claim_idle_ms`; that is also the pause
before a failed event is retried. An event delivered more than `max_attempts` times (or
whose last allowed attempt fails) moves to the dead-letter stream and the group goes on with
the next ones.

Delivery is ordered per stream, but a retried event is applied after later ones: handlers
must not rely on the order of events about different subjects.

Reading and acknowledging are here; triaging, applying and settling each event are in
`sift.core.events.handling`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.batch import Delivery
from sift.core.events.bus import (
    as_text,
    backoff_seconds,
    decode_entries,
    describe,
    is_unavailable,
    stream_key,
    wait_for_stop,
)
from sift.core.events.consumer import Consumer
from sift.core.events.handling import BatchHandler, ConsumeStats
from sift.core.events.members import PRUNE_IDLE_MS, consumer_name, prune_idle_members
from sift.core.events.metrics import observe_group

log = structlog.get_logger()

PRUNE_EVERY_SECONDS = 300.0
GAUGES_EVERY_SECONDS = 5.0  # the group's pending and lag, for the metrics


class ConsumerWorker:
    """One member of a consumer group, bound to this process's database and Redis."""

    def __init__(
        self,
        consumer: Consumer,
        *,
        database: Database,
        redis: Redis,
        settings: CoreSettings,
        name: str | None = None,
        batch_size: int = 100,
        block_ms: int = 1000,
    ) -> None:
        self.consumer = consumer
        self.name = name or consumer_name()
        self._database = database
        self._redis = redis
        self._stream = stream_key(settings)
        self._batch_size = batch_size
        self._block_ms = block_ms
        self._claim_idle_ms = settings.events.claim_idle_ms
        self._claim_cursor = "0-0"
        self._group_ready = False
        self._log = log.bind(group=consumer.group, consumer=self.name)
        self._handler = BatchHandler(
            consumer, database=database, redis=redis, settings=settings, member=self.name
        )

    @property
    def group(self) -> str:
        return self.consumer.group

    async def ensure_group(self) -> None:
        """Create the consumer group (and the stream) unless it exists."""
        try:
            await self._redis.xgroup_create(
                self._stream, self.group, id=self.consumer.start_id, mkstream=True
            )
            self._log.info("consumer.group_created", stream=self._stream)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def consume_once(self, *, block_ms: int | None = None) -> ConsumeStats:
        """Claim what dead or failing members left idle, read new events, handle them all.

        `block_ms` waits that long for new events when there is nothing else to do (None or
        0: do not wait).
        """
        stats = ConsumeStats()
        if not self._group_ready:
            await self.ensure_group()
        try:
            deliveries = await self._claim()
            stats.claimed = len(deliveries)
            fresh = await self._read(
                self._batch_size - len(deliveries), None if deliveries else block_ms
            )
            stats.read = len(fresh)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self._log.warning("consumer.group_missing", stream=self._stream)
            self._group_ready = False
            return stats
        acks: list[str] = []
        try:
            if deliveries or fresh:
                # One connection for the batch (one pool checkout and ping, not one per event).
                async with self._database.engine.connect() as connection:
                    await self._handler.handle([*deliveries, *fresh], stats, acks, connection)
        finally:
            # After the commits, in one round trip: a crash before it only redelivers events
            # whose processed_events rows already exist.
            if acks:
                await self._redis.xack(self._stream, self.group, *acks)
        return stats

    async def _claim(self) -> list[Delivery]:
        reply: Sequence[Any] = await self._redis.xautoclaim(
            self._stream,
            self.group,
            self.name,
            min_idle_time=self._claim_idle_ms,
            start_id=self._claim_cursor,
            count=self._batch_size,
        )
        self._claim_cursor = as_text(reply[0])
        if len(reply) > 2 and reply[2]:
            # MAXLEN trimmed them before this group acknowledged them: size the stream up.
            self._log.error(
                "event.trimmed_unprocessed",
                count=len(reply[2]),
                message_ids=[as_text(message_id) for message_id in reply[2][:20]],
            )
        entries = [entry for entry in decode_entries(reply[1]) if entry.fields]
        if not entries:
            return []
        # XAUTOCLAIM does not tell how often a message was delivered; XPENDING does.
        async with self._redis.pipeline(transaction=False) as pipe:
            for entry in entries:
                pipe.xpending_range(
                    self._stream, self.group, min=entry.message_id, max=entry.message_id, count=1
                )
            pending: list[list[dict[str, Any]]] = await pipe.execute()
        deliveries = [
            Delivery(entry, int(info[0]["times_delivered"]))
            for entry, info in zip(entries, pending, strict=True)
            if info and as_text(info[0]["consumer"]) == self.name
        ]
        if deliveries:
            self._log.info(
                "consumer.claimed",
                count=len(deliveries),
                message_ids=[delivery.entry.message_id for delivery in deliveries[:20]],
            )
        return deliveries

    async def _read(self, count: int, block_ms: int | None) -> list[Delivery]:
        if count <= 0:
            return []
        reply: Any = await self._redis.xreadgroup(
            self.group, self.name, {self._stream: ">"}, count=count, block=block_ms or None
        )
        streams = reply.items() if isinstance(reply, dict) else reply or []
        return [Delivery(entry, 1) for _, messages in streams for entry in decode_entries(messages)]

    async def prune_consumers(self, *, idle_ms: int = PRUNE_IDLE_MS) -> list[str]:
        """Forget members that hold nothing and have not read for `idle_ms` (dead processes)."""
        names = await prune_idle_members(
            self._redis, self._stream, self.group, keep=self.name, idle_ms=idle_ms
        )
        if names:
            self._log.info("consumer.pruned", consumers=names)
        return names

    async def _wait_until_healthy(self, stop: asyncio.Event) -> bool:
        """True once the database and Redis answer; False if stopped before that."""
        # Claiming while the database is down would only spend delivery attempts.
        failures = 0
        while not stop.is_set():
            try:
                await self._database.ping()
                await self._redis.ping()
                return True
            except Exception as exc:
                failures += 1
                self._log.warning("consumer.unhealthy", error=describe(exc))
                await wait_for_stop(stop, backoff_seconds(failures, base=0.5, cap=30.0))
        return False

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; the batch in hand is finished first."""
        await self.ensure_group()
        self._log.info("consumer.started", stream=self._stream, types=self.consumer.event_types)
        failures = 0
        next_prune = next_gauges = time.monotonic()
        while not stop.is_set():
            try:
                if failures and not await self._wait_until_healthy(stop):
                    break
                await self.consume_once(block_ms=self._block_ms)
                failures = 0
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                    await self.prune_consumers()
                if time.monotonic() >= next_gauges:
                    next_gauges = time.monotonic() + GAUGES_EVERY_SECONDS
                    await observe_group(self._redis, self._stream, self.group)
            except Exception as exc:
                failures += 1
                if is_unavailable(exc):
                    self._log.warning("consumer.unavailable", error=describe(exc))
                else:
                    self._log.exception("consumer.failed")
                await wait_for_stop(stop, backoff_seconds(failures, base=0.2, cap=30.0))
        self._log.info("consumer.stopped")
