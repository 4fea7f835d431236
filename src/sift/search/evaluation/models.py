"""Stored evaluation runs: a golden set's metrics per mode (the cases themselves are not kept)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Uuid
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from sift.search.models import Base


class Evaluation(Base):
    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_org_created", "org_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID]
    created_by: Mapped[uuid.UUID]
    name: Mapped[str | None] = mapped_column(String(200))
    # The collections the run was restricted to (None: every collection the caller reads).
    collection_ids: Mapped[list[uuid.UUID] | None] = mapped_column(ARRAY(Uuid))
    modes: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    case_count: Mapped[int] = mapped_column(Integer)
    # {mode: {"ndcg@10", "recall@100", "mrr@10", "p50_ms", "p95_ms"}}
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # Judged documents the caller cannot read (or not indexed) are dropped from the judgments;
    # a case left without a relevant document is skipped.
    ignored_judgments: Mapped[int] = mapped_column(Integer)
    skipped_cases: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=sql_text("now()")
    )
