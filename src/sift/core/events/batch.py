"""Applying a batch of events in one database transaction, once each.

The handlers of the batch's events run in one transaction together with the events'
`processed_events` rows (consumer group, event ID), written by one multi-row INSERT: an
event whose row exists already (a redelivery) runs no handler again. The consumer's
before-batch hooks run first, with the events about to be applied; its before-commit hooks
run last, after every handler, and an exception in any of them rolls the whole batch back.
`sift.core.events.handling` decides what goes into a batch, and what happens when it fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from sift.contracts.events import EventEnvelope
from sift.core.events.bus import FIELD_TRACEPARENT, StreamEntry
from sift.core.events.consumer import Consumer, Handler
from sift.core.events.tracing import process_span


@dataclass(frozen=True)
class Delivery:
    """A stream entry as this member received it, and how often the group delivered it."""

    entry: StreamEntry
    deliveries: int


@dataclass(frozen=True)
class ReadyEvent:
    """A delivered event with its handler, ready to apply."""

    delivery: Delivery
    handler: Handler
    envelope: EventEnvelope
    label: str
    log: Any

    def __repr__(self) -> str:
        # Short: tracebacks rendered with locals (development logs) show whole batches.
        return f"<event {self.envelope.id} {self.label} {self.delivery.entry.message_id}>"


async def apply_batch(
    consumer: Consumer,
    sessionmaker: async_sessionmaker[AsyncSession],
    connection: AsyncConnection,
    items: list[ReadyEvent],
) -> list[bool]:
    """The handlers of `items` and their idempotency records in one transaction; for each
    item, whether it was applied now (False: applied before, or earlier in the batch)."""
    table = cast(Table, inspect(consumer.processed_model).local_table)
    # Sorted: two members inserting overlapping batches take the row locks in one order.
    event_ids = sorted({item.envelope.id for item in items})
    async with sessionmaker(bind=connection) as session, session.begin():
        # A concurrent apply of the same event (a slow member whose message was claimed)
        # waits here on the primary key, then finds the row and skips. One statement with
        # the rows as parameters (SQLAlchemy sends them as one multi-row VALUES): a
        # `.values([...])` statement has no cache key and was compiled anew every batch.
        new = set(
            await session.scalars(
                pg_insert(table).on_conflict_do_nothing().returning(table.c.event_id),
                [{"consumer": consumer.group, "event_id": id_} for id_ in event_ids],
            )
        )
        applied: list[bool] = []
        for item in items:
            # The same event twice in one batch (a relay that published it again): once.
            applied.append(item.envelope.id in new)
            new.discard(item.envelope.id)
        todo = [item for item, first_time in zip(items, applied, strict=True) if first_time]
        if todo:
            await consumer.before_batch(session, [item.envelope for item in todo])
        for item in todo:
            with process_span(
                group=consumer.group,
                event_type=item.envelope.type,
                event_id=str(item.envelope.id),
                traceparents=(
                    item.delivery.entry.fields.get(FIELD_TRACEPARENT),
                    item.envelope.traceparent,
                ),
            ):
                await item.handler(session, item.envelope)
        await consumer.before_commit(session)
    return applied
