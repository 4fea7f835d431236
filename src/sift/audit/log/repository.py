"""All SQL of the audit log: appending to a chain, pages and filtered scans of it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.models import AuditEntry, ChainAnchor


def chain_lock_key(org_id: uuid.UUID | None) -> int:
    """A stable 64-bit advisory-lock key per chain (the platform's chain has its own)."""
    name = f"sift.audit.chain.{org_id or 'platform'}"
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


@dataclass(frozen=True)
class EntryFilter:
    """What a query asks for; `actors` / `target_ids` hold every form a value may be stored
    in (a user ID and its pseudonym)."""

    actors: Sequence[str] | None = None
    action: str | None = None
    target_type: str | None = None
    target_ids: Sequence[str] | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


class AuditEntryRepository:
    async def lock_chain(self, session: AsyncSession, org_id: uuid.UUID | None) -> None:
        """Serializes appends to one chain until the transaction ends (others go on)."""
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": chain_lock_key(org_id)}
        )

    async def last_of_chain(
        self, session: AsyncSession, org_id: uuid.UUID | None
    ) -> AuditEntry | None:
        return await session.scalar(self._of_chain(org_id).order_by(AuditEntry.seq.desc()).limit(1))

    async def get(self, session: AsyncSession, entry_id: uuid.UUID) -> AuditEntry | None:
        return await session.get(AuditEntry, entry_id)

    def _of_chain(self, org_id: uuid.UUID | None) -> Select[AuditEntry]:
        condition = AuditEntry.org_id.is_(None) if org_id is None else AuditEntry.org_id == org_id
        return select(AuditEntry).where(condition)

    def filtered(self, org_id: uuid.UUID | None, where: EntryFilter) -> Select[AuditEntry]:
        statement = self._of_chain(org_id)
        if where.actors is not None:
            statement = statement.where(AuditEntry.actor.in_(where.actors))
        if where.action is not None:
            statement = statement.where(AuditEntry.action == where.action)
        if where.target_type is not None:
            statement = statement.where(AuditEntry.target_type == where.target_type)
        if where.target_ids is not None:
            statement = statement.where(AuditEntry.target_id.in_(where.target_ids))
        if where.occurred_from is not None:
            statement = statement.where(AuditEntry.occurred_at >= where.occurred_from)
        if where.occurred_to is not None:
            statement = statement.where(AuditEntry.occurred_at < where.occurred_to)
        return statement

    async def page(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        where: EntryFilter,
        *,
        limit: int,
        before_seq: int | None = None,
        after_seq: int | None = None,
        oldest_first: bool = False,
    ) -> Sequence[AuditEntry]:
        """Newest first (`before_seq` continues), or oldest first (`after_seq`) for exports."""
        statement = self.filtered(org_id, where)
        if before_seq is not None:
            statement = statement.where(AuditEntry.seq < before_seq)
        if after_seq is not None:
            statement = statement.where(AuditEntry.seq > after_seq)
        order = AuditEntry.seq.asc() if oldest_first else AuditEntry.seq.desc()
        return (await session.scalars(statement.order_by(order).limit(limit))).all()

    async def chain_slice(
        self, session: AsyncSession, org_id: uuid.UUID | None, *, after_seq: int, limit: int
    ) -> Sequence[AuditEntry]:
        statement = (
            self._of_chain(org_id)
            .where(AuditEntry.seq > after_seq)
            .order_by(AuditEntry.seq)
            .limit(limit)
        )
        return (await session.scalars(statement)).all()

    async def naming(
        self, session: AsyncSession, pseudonym: str, *, after: uuid.UUID | None, limit: int
    ) -> Sequence[AuditEntry]:
        """Entries of any chain that name the pseudonym as actor, target or `user_id`."""
        statement = select(AuditEntry).where(
            or_(
                AuditEntry.actor == pseudonym,
                AuditEntry.target_id == pseudonym,
                AuditEntry.data["user_id"].astext == pseudonym,
            )
        )
        if after is not None:
            statement = statement.where(AuditEntry.id > after)
        return (await session.scalars(statement.order_by(AuditEntry.id).limit(limit))).all()

    async def chains(self, session: AsyncSession) -> list[uuid.UUID | None]:
        """Every chain: the organizations with entries, and None for the platform's."""
        rows = await session.scalars(select(AuditEntry.org_id).distinct())
        return sorted(rows.all(), key=lambda org: (org is not None, str(org)))


audit_entry_repository = AuditEntryRepository()


def chain_name(org_id: uuid.UUID | None) -> str:
    """A chain's key in `chain_anchors`: the organization's ID, or "platform"."""
    return "platform" if org_id is None else str(org_id)


class ChainAnchorRepository:
    async def of_chain(self, session: AsyncSession, org_id: uuid.UUID | None) -> ChainAnchor | None:
        return await session.get(ChainAnchor, chain_name(org_id))

    async def purge_through(
        self, session: AsyncSession, org_id: uuid.UUID | None, through_seq: int
    ) -> int:
        """Deletes the chain's entries up to `through_seq` and moves its anchor past them,
        through the database's one sanctioned path (see the retention migration)."""
        purged = await session.scalar(select(func.audit.purge_entries_through(org_id, through_seq)))
        session.expire_all()  # the anchor row changed behind the session's back
        return int(purged or 0)


chain_anchor_repository = ChainAnchorRepository()
