"""What the handlers of a batch of events read, read once for the whole batch.

The consumer applies a batch of events in one transaction (`sift.core.events.worker`), and
the channels' handlers of each event ask about its user (preferences, quiet hours and
digest, verified phone, address) and its upload: one query each, per event, was most of
the consumer's work. `begin` marks the transaction's session as a batch; the repositories
then answer these reads from a `Memo` kept in that session, which `prefetch` fills for
every user and upload the batch names with one query per kind. A repository that writes
one of these kinds forgets its memo, so the next read goes to the database again.
Outside a batch (the API, the scheduler's jobs, the delivery worker) nothing is kept.
"""

from __future__ import annotations

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
