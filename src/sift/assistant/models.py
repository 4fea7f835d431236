"""Tables of the assistant service, all in its own `assistant` schema.

A conversation holds messages: the user's questions and the assistant's answers, each
answer with its citations, who answered (provider, model, why others were skipped),
tokens, cost and latency. Usage per user and organization per day is summed in
`usage_daily` (one row upserted per answer), for quotas reports and cost accounting.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sift.core.db import IdMixin, TimestampMixin, service_metadata
from sift.core.events.tables import OutboxMixin, ProcessedEventMixin

Timestamp = DateTime(timezone=True)
Money = Numeric(14, 6)
TITLE_LENGTH = 200
COMMENT_LENGTH = 2000


class Base(DeclarativeBase):
    metadata = service_metadata("assistant")


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class MessageRole(StrEnum):
    user = "user"
    assistant = "assistant"


class Rating(StrEnum):
    up = "up"
    down = "down"


class Conversation(IdMixin, TimestampMixin, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_owner_updated", "org_id", "user_id", "updated_at", "id"),
        Index(
            "ix_conversations_api_key_updated",
            "api_key_id",
            "updated_at",
            "id",
            postgresql_where=text("api_key_id IS NOT NULL"),
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(nullable=False)  # for a key: its creator
    # The API key that started it (NULL: a signed-in session). A key sees only its own.
    api_key_id: Mapped[uuid.UUID | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH), nullable=False)


class Message(IdMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("role IN ('user', 'assistant')", name="role"),
        Index("ix_messages_conversation_created", "conversation_id", "created_at", "id"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    org_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        Timestamp, server_default=func.now(), nullable=False
    )
    # Answers only (NULL or empty on the user's messages).
    retrieval_query: Mapped[str | None] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    document_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), nullable=False, server_default=text("'{}'::uuid[]")
    )
    provider: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(100))
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    grounded: Mapped[bool | None] = mapped_column(Boolean)
    unsupported_sentences: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    dropped_citations: Mapped[int] = mapped_column(
        Integer, nullable=False, server_default=text("0")
    )
    cached: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    prompt_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    completion_tokens: Mapped[int] = mapped_column(
        Integer, nullable=False, server_default=text("0")
    )
    cost_usd: Mapped[Decimal] = mapped_column(Money, nullable=False, server_default=text("0"))


class Feedback(TimestampMixin, Base):
    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("rating IN ('up', 'down')", name="rating"),)

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    rating: Mapped[str] = mapped_column(String(8), nullable=False)
    comment: Mapped[str | None] = mapped_column(String(COMMENT_LENGTH))


class UsageDaily(Base):
    __tablename__ = "usage_daily"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    requests: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    cached_requests: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    prompt_tokens: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    completion_tokens: Mapped[int] = mapped_column(
        BigInteger, nullable=False, server_default=text("0")
    )
    cost_usd: Mapped[Decimal] = mapped_column(Money, nullable=False, server_default=text("0"))


class OrganizationSettings(TimestampMixin, Base):
    """An organization's AI settings; no row means the installation's defaults."""

    __tablename__ = "org_settings"
    __table_args__ = (
        CheckConstraint(
            "monthly_answer_quota IS NULL OR monthly_answer_quota >= 0",
            name="monthly_answer_quota",
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Tried first, before the installation's other providers (NULL: the installation's order).
    default_provider: Mapped[str | None] = mapped_column(String(32))
    # AI requests (answers and summaries) per calendar month, UTC (NULL: no monthly limit).
    monthly_answer_quota: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[uuid.UUID] = mapped_column(nullable=False)
