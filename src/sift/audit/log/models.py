"""Tables of the audit log: the entries (append-only, enforced by the database) and the
per-person keys behind the pseudonyms that name people in them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, LargeBinary, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from sift.audit.models import Base


class AuditEntry(Base):
    """One event, as recorded: never updated or deleted (a trigger and the table's
    privileges refuse both). `seq` numbers the entries of one organization (of the platform,
    for events that name none) from 1; `hash` covers the entry and `prev_hash`, the hash of
    the entry before it in that chain (see `chain.py`). People are named by pseudonym."""

    __tablename__ = "entries"
    __table_args__ = (
        # One chain per organization; NULLS NOT DISTINCT: the platform's chain is one too.
        Index(
            "uq_entries_org_seq",
            "org_id",
            "seq",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        Index("ix_entries_org_actor", "org_id", "actor", "seq"),
        Index("ix_entries_org_action", "org_id", "action", "seq"),
        Index("ix_entries_org_target", "org_id", "target_type", "target_id", "seq"),
        Index("ix_entries_org_occurred", "org_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the event's ID
    org_id: Mapped[uuid.UUID | None]
    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    producer: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str | None] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(200))
    # Sealed with the key of the person the entry is about (see `pseudonyms.py`).
    ip: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PersonKey(Base):
    """A person's secret: their pseudonym is HMAC(secret, user ID), and it seals their
    entries' address and user agent. Deleting the row at erasure (crypto-shredding) leaves
    the pseudonym in the entries, unlinkable to anyone, and the sealed values unreadable."""

    __tablename__ = "person_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    # The last e-mail address an event told about them: how admins recognise them.
    label: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ForgottenPerson(Base):
    """Someone whose key was destroyed: later events about them get no new key (one would
    link what comes after). Only a one-way digest of the user ID is kept."""

    __tablename__ = "forgotten_people"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    forgotten_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ChainAnchor(Base):
    """Where a chain's verification starts once its oldest entries were purged (retention):
    `first_seq` is the oldest kept entry and `prev_hash` the hash it must link to. Written
    only by `audit.purge_entries_through`; a trigger lets it move forward, never back."""

    __tablename__ = "chain_anchors"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)  # org ID or "platform"
    org_id: Mapped[uuid.UUID | None]
    first_seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    purged: Mapped[int] = mapped_column(BigInteger)  # entries purged so far
    purged_through: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
