"""Retention of the audit log: entries older than `SIFT_AUDIT_LOG_RETENTION_DAYS` go.

Only a chain's oldest entries can go, a batch at a time, through the database's sanctioned
path (`audit.purge_entries_through`, see the retention migration), which moves the chain's
anchor past them: verification then starts at the oldest kept entry and checks that it
links to the hash the anchor recorded. A batch is purged only if it verifies and links to
the entry after it, so that retention never removes the evidence of tampering. The newest
entry of a chain always stays (the next append chains to it).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.chain import GENESIS, ChainCheck
from sift.audit.log.repository import audit_entry_repository, chain_anchor_repository, chain_name
from sift.core.db import Database

log = structlog.get_logger()

PURGE_BATCH = 1000


async def purge_batch(
    session: AsyncSession, org_id: uuid.UUID | None, *, cutoff: datetime, batch_size: int
) -> int:
    """Purges up to `batch_size` of the chain's oldest entries recorded before `cutoff`."""
    await audit_entry_repository.lock_chain(session, org_id)  # appends wait for the purge
    anchor = await chain_anchor_repository.of_chain(session, org_id)
    first = anchor.first_seq if anchor is not None else 1
    check = ChainCheck(expected_seq=first, prev_hash=anchor.prev_hash if anchor else GENESIS)
    # One more than the batch: the entry after it must link to the last purged one.
    rows = await audit_entry_repository.chain_slice(
        session, org_id, after_seq=first - 1, limit=batch_size + 1
    )
    if not check.feed(rows):
        log.error(
            "audit.purge_refused",
            chain=chain_name(org_id),
            reason="chain_mismatch",
            seq=check.first_mismatch_seq,
        )
        return 0
    last = await audit_entry_repository.last_of_chain(session, org_id)
    through: int | None = None
    for entry in rows[:batch_size]:
        if entry.recorded_at >= cutoff or last is None or entry.seq >= last.seq:
            break
        through = entry.seq
    if through is None:
        return 0
    return await chain_anchor_repository.purge_through(session, org_id, through)


async def purge_old_entries(
    database: Database,
    *,
    older_than: timedelta,
    batch_size: int = PURGE_BATCH,
    now: datetime | None = None,
) -> dict[str, int]:
    """Purges every chain's entries recorded before `now - older_than`, one transaction per
    batch; the entries purged per chain (idempotent: a second run finds nothing)."""
    cutoff = (now or datetime.now(UTC)) - older_than
    async with database.read_sessionmaker() as reading:
        chains = await audit_entry_repository.chains(reading)
    counts: dict[str, int] = {}
    for org_id in chains:
        total = 0
        while True:
            async with database.sessionmaker() as session, session.begin():
                purged = await purge_batch(session, org_id, cutoff=cutoff, batch_size=batch_size)
            total += purged
            if purged < batch_size:
                break
        if total:
            counts[chain_name(org_id)] = total
    log.info(
        "audit.entries_purged",
        cutoff=cutoff.isoformat(),
        deleted=sum(counts.values()),
        chains=len(counts),
    )
    return counts
