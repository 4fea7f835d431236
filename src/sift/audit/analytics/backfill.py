"""Back-fill of the roll-ups from the audit log, for events the stream no longer holds.

Runs once (a `analytics_backfills` row marks it done): the scheduler's job starts it while
none is recorded. Each entry is claimed in `processed_events` under the consumer's group, so
an event the consumer applied (or applies meanwhile) is never counted twice. The audit log
keeps no search text: top queries start with the events the consumer reads.
"""

from __future__ import annotations

import structlog

from sift.audit.analytics.consumers import GROUP
from sift.audit.analytics.repository import rollup_repository
from sift.audit.analytics.rollup import Fact, apply, flush, is_person
from sift.audit.log.models import AuditEntry
from sift.core.db import Database

log = structlog.get_logger()

NAME = "audit_log"
BATCH = 500


def fact_of(entry: AuditEntry) -> Fact:
    assert entry.org_id is not None
    return Fact(
        id=entry.id,
        type=entry.action,
        occurred_at=entry.occurred_at,
        org_id=entry.org_id,
        actor=entry.actor if is_person(entry.actor) else None,
        data=entry.data,
    )


async def backfill(database: Database, *, batch: int = BATCH) -> int | None:
    """Applies every audit entry the roll-ups lack; the number applied (None: done before)."""
    async with database.sessionmaker() as session:
        if await rollup_repository.backfilled(session, NAME):
            return None
    applied, after = 0, None
    while True:
        async with database.sessionmaker() as session, session.begin():
            entries = await rollup_repository.entries_after(session, after=after, limit=batch)
            new = await rollup_repository.claim(session, GROUP, [entry.id for entry in entries])
            for entry in entries:
                if entry.id in new:
                    await apply(session, fact_of(entry))
            await flush(session)
        applied += len(new)
        if len(entries) < batch:
            break
        after = entries[-1].id
    async with database.sessionmaker() as session, session.begin():
        await rollup_repository.mark_backfilled(session, NAME, applied)
    log.info("analytics.backfilled", entries=applied)
    return applied
