"""What each event adds to the roll-ups.

An event is read as a `Fact` (from the stream, or from an audit entry by the back-fill):
handlers turn it into counter increments, an active person and query uses, which collect in
the transaction's `Rollup` and are written at once, in key order, before it commits (one
statement per table for a batch, and two batches never lock the same rows in another order).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.analytics.repository import (
    CounterKey,
    QueryKey,
    rollup_repository,
)
from sift.audit.log.pseudonyms import PSEUDONYM_PREFIX

DAY, HOUR = "day", "hour"
HOURLY_WINDOW = timedelta(hours=48)
# Upper bounds (ms) of the answer latency histogram; the percentiles are read from it.
LATENCY_BOUNDS = (250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 7500, 10000, 20000, 60000)
LATENCY_OVER = "inf"
MICRO = 1_000_000


@dataclass(frozen=True)
class Fact:
    """An event as the roll-ups read it: who did it by audit pseudonym (None for no one, or
    someone forgotten), its data as published (or as the audit log kept it)."""

    id: uuid.UUID
    type: str
    occurred_at: datetime
    org_id: uuid.UUID
    actor: str | None
    data: dict[str, Any]


def day_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def is_person(actor: str | None) -> bool:
    return actor is not None and actor.startswith(PSEUDONYM_PREFIX)


def latency_bucket(latency_ms: int) -> str:
    for bound in LATENCY_BOUNDS:
        if latency_ms <= bound:
            return str(bound)
    return LATENCY_OVER


@dataclass
class Rollup:
    """The transaction's pending roll-up writes."""

    counters: dict[CounterKey, int] = field(default_factory=lambda: defaultdict(int))
    active: set[tuple[uuid.UUID, str, datetime, str]] = field(default_factory=set)
    queries: dict[QueryKey, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, session: AsyncSession) -> Rollup:
        rollup = session.info.get("analytics.rollup")
        if rollup is None:
            rollup = session.info["analytics.rollup"] = cls()
        return rollup

    def spans(self, fact: Fact, now: datetime) -> list[tuple[str, datetime]]:
        spans = [(DAY, day_of(fact.occurred_at))]
        if fact.occurred_at >= now - HOURLY_WINDOW:
            spans.append((HOUR, hour_of(fact.occurred_at)))
        return spans

    def count(self, fact: Fact, metric: str, value: int = 1, key: str = "") -> None:
        if not value:
            return
        for span, bucket in self.spans(fact, datetime.now(UTC)):
            self.counters[CounterKey(fact.org_id, span, bucket, metric, key[:200])] += value

    def seen(self, fact: Fact) -> None:
        if fact.actor is not None and is_person(fact.actor):
            for span, bucket in self.spans(fact, datetime.now(UTC)):
                self.active.add((fact.org_id, span, bucket, fact.actor))

    def searched(self, fact: Fact, query: str, zero: bool) -> None:
        if not query or fact.actor is None or not is_person(fact.actor):
            return
        day: date = fact.occurred_at.astimezone(UTC).date()
        uses = self.queries.setdefault(QueryKey(fact.org_id, day, query, fact.actor), [0, 0])
        uses[0] += 1
        uses[1] += int(zero)

    async def flush(self, session: AsyncSession) -> None:
        await rollup_repository.add_counters(session, self.counters)
        await rollup_repository.add_active(session, self.active)
        await rollup_repository.add_queries(session, self.queries)
        self.counters.clear()
        self.active.clear()
        self.queries.clear()


async def flush(session: AsyncSession) -> None:
    await Rollup.of(session).flush(session)


# --- per event type ---------------------------------------------------------------------

Apply = Callable[[AsyncSession, Rollup, Fact], Any]


async def _stored(session: AsyncSession, rollup: Rollup, fact: Fact) -> None:
    size = int(fact.data.get("size_bytes") or 0)
    rollup.count(fact, "uploads")
    rollup.count(fact, "storage_bytes", size)
    document_id = _uuid(fact.data.get("document_id"))
    if document_id is not None:
        await rollup_repository.add_document_size(session, fact.org_id, document_id, size)


async def _deleted(session: AsyncSession, rollup: Rollup, fact: Fact) -> None:
    document_id = _uuid(fact.data.get("document_id"))
    if document_id is not None:
        freed = await rollup_repository.pop_document_size(session, fact.org_id, document_id)
        rollup.count(fact, "storage_bytes", -freed)


async def _indexed(session: AsyncSession, rollup: Rollup, fact: Fact) -> None:
    if not fact.data.get("superseded"):
        rollup.count(fact, "indexed")


async def _index_failed(session: AsyncSession, rollup: Rollup, fact: Fact) -> None:
    rollup.count(fact, "index_failed", key=str(fact.data.get("code") or "unknown"))


async def _searched(session: AsyncSession, rollup: Rollup, fact: Fact) -> None:
    mode = str(fact.data.get("mode") or "hybrid")
    zero = int(fact.data.get("result_count") or 0) == 0
    rollup.count(fact, "searches", key=mode)
    rollup.count(fact, "zero_results", int(zero), key=mode)
    rollup.searched(fact, str(fact.data.get("query") or ""), zero)


async def _clicked(session: AsyncSession, rollup: Rollup, fact: Fact) -> None:
    rollup.count(fact, "clicks")


async def _answered(session: AsyncSession, rollup: Rollup, fact: Fact) -> None:
    data = fact.data
    key = f"{data.get('provider') or 'unknown'}:{data.get('model') or 'unknown'}"
    rollup.count(fact, "answers", key=key)
    rollup.count(fact, "failovers", int(bool(data.get("failover"))), key=key)
    rollup.count(fact, "prompt_tokens", int(data.get("prompt_tokens") or 0), key=key)
    rollup.count(fact, "completion_tokens", int(data.get("completion_tokens") or 0), key=key)
    rollup.count(fact, "cost_micro_usd", round(float(data.get("cost_usd") or 0) * MICRO), key=key)
    if data.get("latency_ms") is not None:
        rollup.count(fact, "answer_latency", key=latency_bucket(int(data["latency_ms"])))


async def _feedback(session: AsyncSession, rollup: Rollup, fact: Fact) -> None:
    rollup.count(fact, "feedback", key=str(fact.data.get("rating")))
    if fact.data.get("previous_rating"):
        rollup.count(fact, "feedback", -1, key=str(fact.data["previous_rating"]))


APPLY: dict[str, Apply] = {
    "document.uploaded": _stored,
    "document.version_created": _stored,
    "document.deleted": _deleted,
    "document.indexed": _indexed,
    "document.index_failed": _index_failed,
    "search.performed": _searched,
    "search.result_clicked": _clicked,
    "assistant.answered": _answered,
    "assistant.feedback_given": _feedback,
}


async def apply(session: AsyncSession, fact: Fact) -> None:
    """The fact's share of the roll-ups, pending in the transaction until `flush`."""
    rollup = Rollup.of(session)
    rollup.seen(fact)
    handler = APPLY.get(fact.type)
    if handler is not None:
        await handler(session, rollup, fact)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None
