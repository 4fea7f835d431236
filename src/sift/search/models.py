"""Tables of the search service, all in its own `search` schema."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, REGCONFIG, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sift.core.db import TimestampMixin, service_metadata
from sift.core.events.tables import OutboxMixin, ProcessedEventMixin

EMBEDDING_DIMENSION = 384  # all-MiniLM-L6-v2; another size needs its own column (or Pinecone)


class Base(DeclarativeBase):
    metadata = service_metadata("search")


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class IndexStatus(StrEnum):
    queued = "queued"
    processing = "processing"
    indexed = "indexed"
    failed = "failed"
    superseded = "superseded"  # a newer version of the document is the one indexed


class DocumentIndex(TimestampMixin, Base):
    """Where one document version stands in the ingestion pipeline."""

    __tablename__ = "documents_index"
    __table_args__ = (
        Index("ix_documents_index_org_collection", "org_id", "collection_id"),
        Index("ix_documents_index_document", "document_id"),
    )

    version_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    document_id: Mapped[uuid.UUID]
    org_id: Mapped[uuid.UUID]
    collection_id: Mapped[uuid.UUID]
    status: Mapped[IndexStatus] = mapped_column(String(16))
    storage_key: Mapped[str] = mapped_column(String(1024))
    content_type: Mapped[str] = mapped_column(String(255))
    filename: Mapped[str | None] = mapped_column(String(255))
    # When the version was announced: a newer announcement wins over an older one.
    announced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(String(1000))
    file_type: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))
    page_count: Mapped[int | None]
    char_count: Mapped[int | None]
    chunk_count: Mapped[int | None]
    keywords: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    embedding_dimension: Mapped[int | None]
    # [{name, started_at, finished_at, duration_ms}] of the last attempt
    steps: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Chunk(Base):
    """A passage of a version's extracted text, with its full-text and vector forms.

    `start_char`/`end_char` index the extracted text: `text == extracted[start_char:end_char]`.
    """

    __tablename__ = "chunks"
    __table_args__ = (
        UniqueConstraint("version_id", "ordinal", name="uq_chunks_version_ordinal"),
        Index("ix_chunks_org_collection", "org_id", "collection_id"),
        Index("ix_chunks_document_version", "document_id", "version_id"),
        Index("ix_chunks_tsv", "tsv", postgresql_using="gin"),
        Index(
            "ix_chunks_embedding",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID]
    collection_id: Mapped[uuid.UUID]
    document_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents_index.version_id", ondelete="CASCADE")
    )
    ordinal: Mapped[int]
    page: Mapped[int | None]
    page_end: Mapped[int | None]
    start_char: Mapped[int]
    end_char: Mapped[int]
    heading: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int]
    language: Mapped[str | None] = mapped_column(String(16))
    text_search_config: Mapped[str] = mapped_column(
        REGCONFIG, server_default=sql_text("'simple'::regconfig")
    )
    tsv: Mapped[Any] = mapped_column(
        TSVECTOR, Computed("to_tsvector(text_search_config, text)", persisted=True)
    )
    embedding: Mapped[Any] = mapped_column(Vector(EMBEDDING_DIMENSION))
    embedding_model: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=sql_text("now()")
    )
