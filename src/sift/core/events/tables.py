"""The two event tables every service schema holds, defined once.

Each service mixes them into its own declarative Base (its models); code that knows
schemas, not models (the relay, the retention purges), gets the same tables as Core
`Table`s from `outbox_table` and `processed_events_table`.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class OutboxMixin:
    """Events written in the same transaction as the state change they describe."""

    __tablename__ = "outbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        # The relay only ever scans what is still unpublished, in commit order.
        return (
            Index(
                "ix_outbox_unpublished",
                "position",
                postgresql_where=text("published_at IS NULL"),
            ),
        )


class ProcessedEventMixin:
    """Event IDs a consumer group has applied: a redelivered event has no second effect."""

    __tablename__ = "processed_events"

    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


@lru_cache(maxsize=64)
def _schema_tables(schema: str) -> tuple[Table, Table]:
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"not a service schema name: {schema!r}")

    class SchemaBase(DeclarativeBase):
        metadata = MetaData(schema=schema)

    class Outbox(OutboxMixin, SchemaBase):
        pass

    class ProcessedEvent(ProcessedEventMixin, SchemaBase):
        pass

    return Outbox.__table__, ProcessedEvent.__table__  # type: ignore[return-value]


def outbox_table(schema: str) -> Table:
    """The outbox of one service schema as a Core table."""
    return _schema_tables(schema)[0]


def processed_events_table(schema: str) -> Table:
    """The consumers' idempotency records of one service schema as a Core table."""
    return _schema_tables(schema)[1]
