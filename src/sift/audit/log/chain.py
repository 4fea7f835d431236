"""The hash chain: how an entry is serialized and hashed, and how a chain is checked.

The canonical form of an entry is the UTF-8 JSON of an object with exactly these keys,
sorted, no insignificant whitespace (`separators=(",", ":")`), non-ASCII kept as is:

    action, actor, data, id, ip, occurred_at, org_id, prev_hash, producer, recorded_at,
    seq, target_id, target_type, user_agent

UUIDs are lowercase hyphenated strings, times ISO 8601 in UTC with microseconds
(`2026-12-04T17:40:00.000000+00:00`), absent values `null`, `data` the stored JSON object
(its keys sorted too). `hash` is the lowercase hex SHA-256 of that; `prev_hash` is the
`hash` of the entry before it in the same chain (`GENESIS` for `seq` 1). Anyone with the
rows can recompute the chain with these rules alone.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS = "0" * 64


class Chained(Protocol):
    id: uuid.UUID
    org_id: uuid.UUID | None
    seq: int
    occurred_at: datetime
    recorded_at: datetime
    producer: str
    action: str
    actor: str | None
    target_type: str | None
    target_id: str | None
    ip: str | None
    user_agent: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(entry: Chained) -> bytes:
    """The bytes an entry's hash is computed over (everything but `hash` itself)."""
    document = {
        "action": entry.action,
        "actor": entry.actor,
        "data": entry.data,
        "id": str(entry.id),
        "ip": entry.ip,
        "occurred_at": _time(entry.occurred_at),
        "org_id": None if entry.org_id is None else str(entry.org_id),
        "prev_hash": entry.prev_hash,
        "producer": entry.producer,
        "recorded_at": _time(entry.recorded_at),
        "seq": entry.seq,
        "target_id": entry.target_id,
        "target_type": entry.target_type,
        "user_agent": entry.user_agent,
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(entry: Chained) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass
class ChainCheck:
    """A chain checked from its first entry: how many matched, and the first that did not."""

    checked: int = 0
    first_mismatch_seq: int | None = None
    first_mismatch_id: uuid.UUID | None = None
    expected_seq: int = 1
    prev_hash: str = GENESIS
    # Where the check started: 1, or the chain's anchor once retention purged older entries.
    first_seq: int = 1

    @property
    def ok(self) -> bool:
        return self.first_mismatch_seq is None

    def feed(self, entries: Iterable[Chained]) -> bool:
        """Checks the next entries in `seq` order; False once one does not match."""
        for entry in entries:
            if not self.ok:
                return False
            self.checked += 1
            # A gap, a link to anything but the entry before, or a changed entry.
            if (
                entry.seq != self.expected_seq
                or entry.prev_hash != self.prev_hash
                or entry_hash(entry) != entry.hash
            ):
                self.first_mismatch_seq = entry.seq
                self.first_mismatch_id = entry.id
                return False
            self.expected_seq = entry.seq + 1
            self.prev_hash = entry.hash
        return self.ok
