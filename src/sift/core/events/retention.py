"""Retention of the event tables: published outbox rows and consumers' idempotency records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import structlog
from sqlalchemy import Engine, Table, delete, select, tuple_

from sift import SERVICES
from sift.core.events.tables import outbox_table, processed_events_table
from sift.core.scheduling import purge_in_batches

log = structlog.get_logger()


def purge_published_outbox(
    engine: Engine,
    *,
    older_than: timedelta,
    schemas: Sequence[str] = SERVICES,
    batch_size: int = 5_000,
    now: datetime | None = None,
) -> dict[str, int]:
    """Delete outbox rows published before `now - older_than`; never an unpublished one."""
    cutoff = (now or datetime.now(UTC)) - older_than

    def build(outbox: Table) -> Any:
        doomed = (
            select(outbox.c.id)
            .where(outbox.c.published_at.is_not(None), outbox.c.published_at < cutoff)
            .limit(batch_size)
        )
        return delete(outbox).where(outbox.c.id.in_(doomed.scalar_subquery()))

    counts = _purge_each(engine, schemas, outbox_table, build, batch_size)
    log.info("scheduler.outbox_purged", cutoff=cutoff.isoformat(), deleted=counts)
    return counts


def purge_processed_events(
    engine: Engine,
    *,
    older_than: timedelta,
    schemas: Sequence[str] = SERVICES,
    batch_size: int = 5_000,
    now: datetime | None = None,
) -> dict[str, int]:
    """Delete consumers' idempotency records processed before `now - older_than`."""
    cutoff = (now or datetime.now(UTC)) - older_than

    def build(processed: Table) -> Any:
        doomed = (
            select(processed.c.consumer, processed.c.event_id)
            .where(processed.c.processed_at < cutoff)
            .limit(batch_size)
        )
        return delete(processed).where(
            tuple_(processed.c.consumer, processed.c.event_id).in_(doomed)
        )

    counts = _purge_each(engine, schemas, processed_events_table, build, batch_size)
    log.info("scheduler.processed_events_purged", cutoff=cutoff.isoformat(), deleted=counts)
    return counts


def _purge_each(
    engine: Engine,
    schemas: Sequence[str],
    table_of: Callable[[str], Table],
    build: Callable[[Table], Any],
    batch_size: int,
) -> dict[str, int]:
    """Runs `build`'s DELETE on each schema's table, in batches; the rows deleted per schema."""
    return {
        schema: purge_in_batches(engine, partial(build, table_of(schema)), batch_size)
        for schema in schemas
    }
