"""All SQL of the analytics roll-ups: the writes the consumer batches, and the reads that
make series and tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.analytics.models import ActiveUser, Backfill, Counter, DocumentSize, QueryUse
from sift.audit.log.models import AuditEntry
from sift.audit.models import ProcessedEvent
from sift.core.db import ReadSession


class CounterKey(NamedTuple):
    org_id: uuid.UUID
    span: str
    bucket: datetime
    metric: str
    key: str


class QueryKey(NamedTuple):
    org_id: uuid.UUID
    day: date
    query: str
    pseudonym: str


class RollupRepository:
    """Writes: increments added to what is there (one sorted statement per table)."""

    async def forget_organization(self, session: AsyncSession, org_id: uuid.UUID) -> int:
        """Every roll-up of a deleted organization (its ID is personal to its members)."""
        removed = 0
        for model in (Counter, ActiveUser, QueryUse, DocumentSize):
            result = await session.execute(delete(model).where(model.org_id == org_id))
            removed += int(getattr(result, "rowcount", 0) or 0)
        return removed

    async def add_counters(self, session: AsyncSession, counters: Mapping[CounterKey, int]) -> None:
        rows = [{**key._asdict(), "value": value} for key, value in sorted(counters.items())]
        if not rows:
            return
        statement = pg_insert(Counter).values(rows)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    Counter.org_id,
                    Counter.span,
                    Counter.bucket,
                    Counter.metric,
                    Counter.key,
                ],
                set_={"value": Counter.value + statement.excluded.value},
            )
        )

    async def add_active(
        self, session: AsyncSession, active: Iterable[tuple[uuid.UUID, str, datetime, str]]
    ) -> None:
        rows = [
            {"org_id": org_id, "span": span, "bucket": bucket, "pseudonym": pseudonym}
            for org_id, span, bucket, pseudonym in sorted(active)
        ]
        if rows:
            await session.execute(pg_insert(ActiveUser).values(rows).on_conflict_do_nothing())

    async def add_queries(
        self, session: AsyncSession, queries: Mapping[QueryKey, list[int]]
    ) -> None:
        rows = [
            {**key._asdict(), "searches": uses[0], "zero_results": uses[1]}
            for key, uses in sorted(queries.items())
        ]
        if not rows:
            return
        statement = pg_insert(QueryUse).values(rows)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[QueryUse.org_id, QueryUse.day, QueryUse.query, QueryUse.pseudonym],
                set_={
                    "searches": QueryUse.searches + statement.excluded.searches,
                    "zero_results": QueryUse.zero_results + statement.excluded.zero_results,
                },
            )
        )

    async def add_document_size(
        self, session: AsyncSession, org_id: uuid.UUID, document_id: uuid.UUID, size: int
    ) -> None:
        statement = pg_insert(DocumentSize).values(
            org_id=org_id, document_id=document_id, size_bytes=size
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[DocumentSize.org_id, DocumentSize.document_id],
                set_={"size_bytes": DocumentSize.size_bytes + statement.excluded.size_bytes},
            )
        )

    async def pop_document_size(
        self, session: AsyncSession, org_id: uuid.UUID, document_id: uuid.UUID
    ) -> int:
        freed = await session.scalar(
            delete(DocumentSize)
            .where(DocumentSize.org_id == org_id, DocumentSize.document_id == document_id)
            .returning(DocumentSize.size_bytes)
        )
        return int(freed or 0)

    async def prune_hours(self, session: AsyncSession, before: datetime) -> int:
        counted = await session.execute(
            delete(Counter).where(Counter.span == "hour", Counter.bucket < before)
        )
        active = await session.execute(
            delete(ActiveUser).where(ActiveUser.span == "hour", ActiveUser.bucket < before)
        )
        return int(counted.rowcount or 0) + int(active.rowcount or 0)  # type: ignore[attr-defined]

    # --- the back-fill ---------------------------------------------------------------------

    async def backfilled(self, session: AsyncSession, name: str) -> bool:
        return await session.get(Backfill, name) is not None

    async def mark_backfilled(self, session: AsyncSession, name: str, entries: int) -> None:
        await session.execute(
            pg_insert(Backfill).values(name=name, entries=entries).on_conflict_do_nothing()
        )

    async def entries_after(
        self, session: AsyncSession, *, after: uuid.UUID | None, limit: int
    ) -> Sequence[AuditEntry]:
        """Audit entries of organizations in ID order (UUIDv7: about time order)."""
        statement = select(AuditEntry).where(AuditEntry.org_id.is_not(None))
        if after is not None:
            statement = statement.where(AuditEntry.id > after)
        return (await session.scalars(statement.order_by(AuditEntry.id).limit(limit))).all()

    async def claim(
        self, session: AsyncSession, group: str, event_ids: list[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Records the events as applied by the group; the ones it had not applied yet."""
        if not event_ids:
            return set()
        rows = [{"consumer": group, "event_id": event_id} for event_id in sorted(event_ids)]
        claimed = await session.scalars(
            pg_insert(ProcessedEvent)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(ProcessedEvent.event_id)
        )
        return set(claimed)

    # --- reads -------------------------------------------------------------------------------

    async def counters(
        self,
        session: ReadSession,
        org_id: uuid.UUID,
        span: str,
        start: datetime,
        end: datetime,
        metrics: Sequence[str],
    ) -> list[tuple[datetime, str, str, int]]:
        statement = (
            select(Counter.bucket, Counter.metric, Counter.key, func.sum(Counter.value))
            .where(
                Counter.org_id == org_id,
                Counter.span == span,
                Counter.bucket >= start,
                Counter.bucket < end,
                Counter.metric.in_(metrics),
            )
            .group_by(Counter.bucket, Counter.metric, Counter.key)
            .order_by(Counter.bucket)
        )
        result = await session.execute(statement)
        return [(bucket, metric, key, int(value)) for bucket, metric, key, value in result]

    async def total_before(
        self, session: ReadSession, org_id: uuid.UUID, metric: str, span: str, before: datetime
    ) -> int:
        total = await session.scalar(
            select(func.coalesce(func.sum(Counter.value), 0)).where(
                Counter.org_id == org_id,
                Counter.span == span,
                Counter.metric == metric,
                Counter.bucket < before,
            )
        )
        return int(total or 0)

    async def active_per_bucket(
        self, session: ReadSession, org_id: uuid.UUID, span: str, start: datetime, end: datetime
    ) -> dict[datetime, int]:
        statement = (
            select(ActiveUser.bucket, func.count())
            .where(
                ActiveUser.org_id == org_id,
                ActiveUser.span == span,
                ActiveUser.bucket >= start,
                ActiveUser.bucket < end,
            )
            .group_by(ActiveUser.bucket)
        )
        return {bucket: int(count) for bucket, count in await session.execute(statement)}

    async def active_days(
        self, session: ReadSession, org_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[tuple[datetime, str]]:
        """Who (pseudonym) was active on which day in [start, end)."""
        statement = select(ActiveUser.bucket, ActiveUser.pseudonym).where(
            ActiveUser.org_id == org_id,
            ActiveUser.span == "day",
            ActiveUser.bucket >= start,
            ActiveUser.bucket < end,
        )
        return [(bucket, pseudonym) for bucket, pseudonym in await session.execute(statement)]

    async def active_between(
        self, session: ReadSession, org_id: uuid.UUID, start: datetime, end: datetime
    ) -> int:
        """Different people active on the days in [start, end)."""
        count = await session.scalar(
            select(func.count(func.distinct(ActiveUser.pseudonym))).where(
                ActiveUser.org_id == org_id,
                ActiveUser.span == "day",
                ActiveUser.bucket >= start,
                ActiveUser.bucket < end,
            )
        )
        return int(count or 0)

    async def top_queries(
        self,
        session: ReadSession,
        org_id: uuid.UUID,
        start: date,
        end: date,
        *,
        min_users: int,
        limit: int,
    ) -> list[tuple[str, int, int, int]]:
        """Queries at least `min_users` different people searched on the days [start, end)."""
        users = func.count(func.distinct(QueryUse.pseudonym))
        searches = func.sum(QueryUse.searches)
        statement = (
            select(QueryUse.query, searches, users, func.sum(QueryUse.zero_results))
            .where(QueryUse.org_id == org_id, QueryUse.day >= start, QueryUse.day < end)
            .group_by(QueryUse.query)
            .having(users >= min_users)
            .order_by(searches.desc(), literal_column("1"))
            .limit(limit)
        )
        result = await session.execute(statement)
        return [(query, int(n), int(users), int(zero)) for query, n, users, zero in result]


rollup_repository = RollupRepository()
