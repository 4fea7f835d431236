"""Handling a member's batch of deliveries: triage, apply, settle each event.

Events without a handler here (or redriven for another group) are acknowledged and ignored;
one delivered too often or with a malformed envelope is dead-lettered. The rest are applied
in one transaction (`sift.core.events.batch`); if it fails, each is applied again in a
transaction of its own so that only the failing event is retried or dead-lettered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

import structlog
from pydantic import ValidationError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.contracts.events import EventEnvelope, event_registry
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.batch import Delivery, ReadyEvent, apply_batch
from sift.core.events.bus import (
    FIELD_ENVELOPE,
    FIELD_ID,
    FIELD_REDRIVE_GROUP,
    FIELD_TYPE,
    describe,
    is_unavailable,
)
from sift.core.events.consumer import Consumer
from sift.core.events.dead_letters import dead_letter
from sift.core.events.metrics import (
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    EVENTS_FAILED,
    HANDLER_SECONDS,
)

log = structlog.get_logger()


@dataclass
class ConsumeStats:
    """What one `consume_once` did (tests and logs)."""

    claimed: int = 0
    read: int = 0
    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    failed: int = 0
    dead_lettered: int = 0

    def add(self, other: ConsumeStats) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    @property
    def received(self) -> int:
        return self.claimed + self.read


class BatchHandler:
    """Applies a member's deliveries and settles each event: acknowledged (applied, a
    duplicate or ignored), left pending for a retry, or dead-lettered."""

    def __init__(
        self,
        consumer: Consumer,
        *,
        database: Database,
        redis: Redis,
        settings: CoreSettings,
        member: str,
    ) -> None:
        self.consumer = consumer
        self.member = member
        self._database = database
        self._redis = redis
        self._settings = settings
        self._max_attempts = settings.events.max_attempts
        self._log = log.bind(group=consumer.group, consumer=member)

    @property
    def group(self) -> str:
        return self.consumer.group

    async def handle(
        self,
        batch: list[Delivery],
        stats: ConsumeStats,
        acks: list[str],
        connection: AsyncConnection,
    ) -> None:
        """Applies `batch` over `connection`: counted in `stats`, the message IDs to
        acknowledge (after the commits) added to `acks`."""
        ready: list[ReadyEvent] = []
        for delivery in batch:
            item = await self._triage(delivery, stats, acks)
            if item is not None:
                ready.append(item)
        if not ready:
            return
        if len(ready) == 1:
            await self._handle_one(ready[0], stats, acks, connection)
            return
        started = time.perf_counter()
        try:
            applied = await apply_batch(
                self.consumer, self._database.sessionmaker, connection, ready
            )
        except Exception as exc:
            if is_unavailable(exc):
                raise
            error = describe(exc)
        else:
            seconds = (time.perf_counter() - started) / len(ready)
            for item, first_time in zip(ready, applied, strict=True):
                self._succeeded(item, first_time, seconds, stats, acks)
            return
        # Rolled back whole: find the failing event(s) one transaction at a time.
        self._log.info("consumer.batch_failed", events=len(ready), error=error)
        for item in ready:
            await self._handle_one(item, stats, acks, connection)

    async def _triage(
        self, delivery: Delivery, stats: ConsumeStats, acks: list[str]
    ) -> ReadyEvent | None:
        """The event ready to apply; None when it was acked (no handler) or dead-lettered."""
        entry = delivery.entry
        event_type = entry.fields.get(FIELD_TYPE, "")
        label = event_type if event_registry.knows(event_type) else "unknown"
        event_log = self._log.bind(
            message_id=entry.message_id, event_id=entry.fields.get(FIELD_ID), type=event_type
        )
        handler = self.consumer.handler_for(event_type)
        redrive_group = entry.fields.get(FIELD_REDRIVE_GROUP)
        if handler is None or (redrive_group is not None and redrive_group != self.group):
            if label == "unknown":
                event_log.warning("event.unknown_type")
            acks.append(entry.message_id)
            stats.ignored += 1
            EVENTS_CONSUMED.labels(self.group, label, "ignored").inc()
            return None
        if delivery.deliveries > self._max_attempts:
            error = f"delivered {delivery.deliveries} times without completing (consumers died?)"
            await self._dead_letter(delivery, stats, label, error)
            return None
        try:
            envelope = EventEnvelope.model_validate_json(entry.fields.get(FIELD_ENVELOPE, ""))
        except ValidationError as exc:
            await self._dead_letter(delivery, stats, label, f"malformed envelope: {exc}")
            return None
        return ReadyEvent(delivery, handler, envelope, label, event_log)

    async def _handle_one(
        self, item: ReadyEvent, stats: ConsumeStats, acks: list[str], connection: AsyncConnection
    ) -> None:
        started = time.perf_counter()
        try:
            [applied] = await apply_batch(
                self.consumer, self._database.sessionmaker, connection, [item]
            )
        except Exception as exc:
            if is_unavailable(exc):
                raise
            await self._failed(item, stats, exc)
            return
        self._succeeded(item, applied, time.perf_counter() - started, stats, acks)

    async def _failed(self, item: ReadyEvent, stats: ConsumeStats, exc: Exception) -> None:
        stats.failed += 1
        EVENTS_FAILED.labels(self.group, item.label).inc()
        item.log.warning(
            "event.failed",
            attempt=item.delivery.deliveries,
            max_attempts=self._max_attempts,
            exc_info=exc,
        )
        if item.delivery.deliveries >= self._max_attempts:
            await self._dead_letter(item.delivery, stats, item.label, describe(exc))
        # Otherwise left pending: retried once idle for claim_idle_ms.

    def _succeeded(
        self,
        item: ReadyEvent,
        applied: bool,
        seconds: float,
        stats: ConsumeStats,
        acks: list[str],
    ) -> None:
        HANDLER_SECONDS.labels(self.group, item.label).observe(seconds)
        acks.append(item.delivery.entry.message_id)
        outcome = "applied" if applied else "duplicate"
        if applied:
            stats.applied += 1
        else:
            stats.duplicates += 1
        EVENTS_CONSUMED.labels(self.group, item.label, outcome).inc()
        item.log.debug("event." + outcome)

    async def _dead_letter(
        self, delivery: Delivery, stats: ConsumeStats, label: str, error: str
    ) -> None:
        dead_letter_id = await dead_letter(
            self._redis,
            self._settings,
            delivery.entry,
            group=self.group,
            consumer=self.member,
            attempts=delivery.deliveries,
            error=error,
        )
        stats.dead_lettered += 1
        EVENTS_DEAD_LETTERED.labels(self.group, label).inc()
        EVENTS_CONSUMED.labels(self.group, label, "dead_lettered").inc()
        self._log.error(
            "event.dead_lettered",
            message_id=delivery.entry.message_id,
            event_id=delivery.entry.fields.get(FIELD_ID),
            type=delivery.entry.fields.get(FIELD_TYPE),
            attempts=delivery.deliveries,
            dead_letter_id=dead_letter_id,
            error=error,
        )
