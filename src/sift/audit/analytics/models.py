"""Tables of the usage roll-ups: counters per organization, bucket and metric, the people
active in a bucket and the searches behind the top queries (both by audit pseudonym), and
the stored size of each document (what its deletion frees)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from sift.audit.models import Base


class Counter(Base):
    """A metric's total in one bucket: a day, or an hour of the last 48 (`span`). `key`
    splits it (the search mode, the failure code, the provider and model); `value` is a
    count, bytes, tokens or micro-dollars, and may be a delta (storage, feedback)."""

    __tablename__ = "analytics_counters"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    span: Mapped[str] = mapped_column(String(4), primary_key=True)  # "day" | "hour"
    bucket: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True, default="")
    value: Mapped[int] = mapped_column(BigInteger)


class ActiveUser(Base):
    """Someone (their audit pseudonym) did something in the bucket."""

    __tablename__ = "analytics_active_users"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    span: Mapped[str] = mapped_column(String(4), primary_key=True)
    bucket: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)


class QueryUse(Base):
    """How often one person (pseudonym) searched a normalized query on a day: the top
    queries show a query only once three different people asked it."""

    __tablename__ = "analytics_queries"
    __table_args__ = (Index("ix_analytics_queries_org_day", "org_id", "day"),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    query: Mapped[str] = mapped_column(String(200), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    searches: Mapped[int] = mapped_column(BigInteger)
    zero_results: Mapped[int] = mapped_column(BigInteger)


class DocumentSize(Base):
    """The bytes a document's versions hold, so that its deletion lowers storage used."""

    __tablename__ = "analytics_document_sizes"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    document_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)


class Backfill(Base):
    """A finished back-fill from the audit log (the job runs until there is one)."""

    __tablename__ = "analytics_backfills"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    entries: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
