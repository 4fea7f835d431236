"""What the handlers of a batch of events read, read once, and write, written at once.

The consumer applies a batch of events in one transaction (`sift.core.events.batch`), and
the channels' handlers of each event ask about its user (preferences, quiet hours and
digest, verified phone, address) and its upload: one query each, per event, was most of
the consumer's work. `begin` marks the transaction's session as a batch; the repositories
then answer these reads from a `Memo` kept in that session, which `prefetch` fills for
every user and upload the batch names with one query per kind. A repository that writes
one of these kinds forgets its memo, so the next read goes to the database again.
The rows the handlers make (notifications, deliveries) wait in the session too, as
`PendingRows`, for the group's before-commit hooks to store each kind with one multi-row
INSERT. Outside a batch (the API, the scheduler's jobs, the delivery worker) nothing is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

K = TypeVar("K")
V = TypeVar("V")

_KEY = "sift.notifications.batch"


def begin(session: AsyncSession) -> None:
    """From now on, `session` (a consumer batch's transaction) keeps what it reads."""
    session.info.setdefault(_KEY, {})


def in_batch(session: AsyncSession) -> bool:
    return _KEY in session.info


class Memo(Generic[K, V]):
    """One kind of read by key (a user's verified phone, say), kept for a batch."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _kept(self, session: AsyncSession) -> dict[K, V] | None:
        batch: dict[str, Any] | None = session.info.get(_KEY)
        if batch is None:
            return None
        kept: dict[K, V] = batch.setdefault(self.name, {})
        return kept

    async def get(self, session: AsyncSession, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The kept answer for `key`, else `load()` (kept, in a batch)."""
        kept = self._kept(session)
        if kept is None:
            return await load()
        if key not in kept:
            kept[key] = await load()
        return kept[key]

    async def fill(
        self,
        session: AsyncSession,
        keys: Collection[K],
        load: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        missing: V,
    ) -> None:
        """Reads the keys not kept yet with one `load(keys)`; a key it does not answer is
        kept as `missing` (no row: that is an answer too)."""
        kept = self._kept(session)
        if kept is None:
            return
        wanted = [key for key in dict.fromkeys(keys) if key not in kept]
        if not wanted:
            return
        found = await load(wanted)
        for key in wanted:
            kept[key] = found.get(key, missing)

    def forget(self, session: AsyncSession) -> None:
        """After a write of this kind: what was kept may be stale."""
        batch: dict[str, Any] | None = session.info.get(_KEY)
        if batch is not None:
            batch.pop(self.name, None)


class PendingRows(Generic[K, V]):
    """Rows of one kind a batch's events made, by event, waiting for the before-commit hook
    that stores them all at once (`take`); one per key (event, user or recipient, channel)."""

    def __init__(self, name: str) -> None:
        self.name = f"pending.{name}"

    def _by_event(self, session: AsyncSession) -> dict[uuid.UUID, dict[K, V]]:
        batch: dict[str, Any] = session.info.get(_KEY, {})
        by_event: dict[uuid.UUID, dict[K, V]] = batch.get(self.name, {})
        return by_event

    def add(self, session: AsyncSession, event_id: uuid.UUID, key: K, row: V) -> bool:
        """Keeps `row` (in a batch only); False when the batch made a row with `key` already."""
        batch: dict[str, Any] = session.info[_KEY]
        rows: dict[K, V] = batch.setdefault(self.name, {}).setdefault(event_id, {})
        if key in rows:
            return False
        rows[key] = row
        return True

    def of_event(self, session: AsyncSession, event_id: uuid.UUID) -> list[V]:
        """The rows `event_id` made that still wait, in the order made."""
        return list(self._by_event(session).get(event_id, {}).values())

    def take(self, session: AsyncSession) -> dict[K, V]:
        """Every row waiting, in the order made; from now on they are the caller's to store."""
        batch: dict[str, Any] = session.info.get(_KEY, {})
        by_event: dict[uuid.UUID, dict[K, V]] = batch.pop(self.name, {})
        return {key: row for rows in by_event.values() for key, row in rows.items()}

    def discard(self, session: AsyncSession, where: Callable[[V], bool]) -> None:
        """An erasure in the middle of a batch: the rows `where` picks are never stored."""
        for rows in self._by_event(session).values():
            for key in [key for key, row in rows.items() if where(row)]:
                del rows[key]
