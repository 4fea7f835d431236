"""The audit log's logic: append an event to its organization's chain, read pages of it,
check a chain, resolve pseudonyms for the people who still have a key."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.chain import GENESIS, ChainCheck, entry_hash
from sift.audit.log.models import AuditEntry, PersonKey
from sift.audit.log.pseudonyms import open_sealed, person_keys, sealed_by
from sift.audit.log.recording import Recorder
from sift.audit.log.repository import (
    EntryFilter,
    audit_entry_repository,
    chain_anchor_repository,
)
from sift.contracts.events import EventEnvelope
from sift.core.pagination import InvalidCursor, decode_cursor, page_of

log = structlog.get_logger()

VERIFY_BATCH = 1000
EXPORT_BATCH = 500


@dataclass(frozen=True)
class Filters:
    """A query as the API takes it: people by user ID, targets as shown."""

    actor_id: uuid.UUID | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


@dataclass(frozen=True)
class Shown:
    """An entry as an admin sees it: pseudonyms resolved while the person's key exists."""

    entry: AuditEntry
    actor_id: uuid.UUID | None
    actor_label: str | None
    target_id: str | None
    ip: str | None
    user_agent: str | None


class AuditLogService:
    async def append(self, session: AsyncSession, envelope: EventEnvelope) -> AuditEntry:
        """The event as the next entry of its organization's chain (the platform's if it
        names none). Appends to one chain wait for each other; other chains do not."""
        recorded = await Recorder(session).record(envelope)
        await audit_entry_repository.lock_chain(session, envelope.org_id)
        last = await audit_entry_repository.last_of_chain(session, envelope.org_id)
        entry = AuditEntry(
            id=envelope.id,
            org_id=envelope.org_id,
            seq=1 if last is None else last.seq + 1,
            occurred_at=envelope.occurred_at,
            recorded_at=datetime.now(UTC),
            producer=envelope.producer,
            action=envelope.type,
            actor=recorded.actor,
            target_type=recorded.target_type,
            target_id=recorded.target_id,
            ip=recorded.ip,
            user_agent=recorded.user_agent,
            data=recorded.data,
            prev_hash=GENESIS if last is None else last.hash,
        )
        entry.hash = entry_hash(entry)
        session.add(entry)
        await session.flush()
        log.debug("audit.recorded", entry_id=str(entry.id), action=entry.action, seq=entry.seq)
        return entry

    # --- reading -----------------------------------------------------------------------

    async def _where(self, session: AsyncSession, filters: Filters) -> EntryFilter:
        actors: list[str] | None = None
        if filters.actor_id is not None:
            key = await person_keys.existing(session, filters.actor_id)
            actors = [key.pseudonym] if key is not None else []
        target_ids: list[str] | None = None
        if filters.target_id is not None:
            target_ids = [filters.target_id]
            try:
                person = await person_keys.existing(session, uuid.UUID(filters.target_id))
            except ValueError:
                person = None
            if person is not None:
                target_ids.append(person.pseudonym)
        return EntryFilter(
            actors=actors,
            action=filters.action,
            target_type=filters.target_type,
            target_ids=target_ids,
            occurred_from=filters.occurred_from,
            occurred_to=filters.occurred_to,
        )

    async def page(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        filters: Filters,
        *,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Shown], str | None]:
        """The organization's entries, newest first, and the cursor of the next page."""
        after = decode_cursor(cursor, 1)
        before_seq = _cursor_seq(after[0]) if after else None
        where = await self._where(session, filters)
        rows = await audit_entry_repository.page(
            session, org_id, where, limit=limit + 1, before_seq=before_seq
        )
        items, next_cursor = page_of(rows, limit, key=lambda row: (row.seq,))
        return await self.show(session, items), next_cursor

    async def stream(
        self, session: AsyncSession, org_id: uuid.UUID, filters: Filters
    ) -> AsyncIterator[Shown]:
        """Every matching entry, oldest first, a batch at a time (exports)."""
        where = await self._where(session, filters)
        after_seq = 0
        while True:
            rows = await audit_entry_repository.page(
                session, org_id, where, limit=EXPORT_BATCH, after_seq=after_seq, oldest_first=True
            )
            for shown in await self.show(session, rows):
                yield shown
            if len(rows) < EXPORT_BATCH:
                return
            after_seq = rows[-1].seq

    async def about_person(self, session: AsyncSession, user_id: uuid.UUID) -> AsyncIterator[Shown]:
        """Every entry, in any organization, that names the person (for their data export);
        nothing once their key is destroyed."""
        key = await person_keys.existing(session, user_id)
        if key is None:
            return
        after: uuid.UUID | None = None
        while True:
            rows = await audit_entry_repository.naming(
                session, key.pseudonym, after=after, limit=EXPORT_BATCH
            )
            for shown in await self.show(session, rows):
                yield shown
            if len(rows) < EXPORT_BATCH:
                return
            after = rows[-1].id

    async def show(self, session: AsyncSession, entries: Sequence[AuditEntry]) -> list[Shown]:
        names = {entry.actor for entry in entries if entry.actor}
        names |= {e.target_id for e in entries if e.target_type == "user" and e.target_id}
        names |= {n for e in entries for n in (sealed_by(e.ip), sealed_by(e.user_agent)) if n}
        keys = await person_keys.by_pseudonym(session, names)
        return [self._shown(entry, keys) for entry in entries]

    @staticmethod
    def _shown(entry: AuditEntry, keys: dict[str, PersonKey]) -> Shown:
        actor_key = keys.get(entry.actor) if entry.actor else None
        target_id = entry.target_id
        if entry.target_type == "user" and target_id in keys:
            target_id = str(keys[target_id].user_id)
        return Shown(
            entry=entry,
            actor_id=actor_key.user_id if actor_key else None,
            actor_label=actor_key.label if actor_key else None,
            target_id=target_id,
            ip=open_sealed(keys, entry.ip),
            user_agent=open_sealed(keys, entry.user_agent),
        )

    # --- the chain -----------------------------------------------------------------------

    async def verify(self, session: AsyncSession, org_id: uuid.UUID | None) -> ChainCheck:
        """Recomputes one chain from its first entry; names the first entry that does not
        match (changed, removed from before it, or linked to another)."""
        # Entries older than the retention may be gone: start from the oldest kept one.
        anchor = await chain_anchor_repository.of_chain(session, org_id)
        check = ChainCheck()
        if anchor is not None:
            check = ChainCheck(
                expected_seq=anchor.first_seq,
                prev_hash=anchor.prev_hash,
                first_seq=anchor.first_seq,
            )
        after_seq = check.expected_seq - 1
        while True:
            rows = await audit_entry_repository.chain_slice(
                session, org_id, after_seq=after_seq, limit=VERIFY_BATCH
            )
            if not check.feed(rows) or len(rows) < VERIFY_BATCH:
                break
            after_seq = rows[-1].seq
        if not check.ok:
            log.warning(
                "audit.chain_mismatch",
                org_id=str(org_id) if org_id else None,
                seq=check.first_mismatch_seq,
            )
        return check

    async def verify_all(self, session: AsyncSession) -> list[tuple[uuid.UUID | None, ChainCheck]]:
        return [
            (org_id, await self.verify(session, org_id))
            for org_id in await audit_entry_repository.chains(session)
        ]


def _cursor_seq(value: str) -> int:
    try:
        seq = int(value)
    except ValueError:
        raise InvalidCursor() from None
    if seq < 1:
        raise InvalidCursor()
    return seq


audit_log_service = AuditLogService()
