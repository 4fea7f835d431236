"""Tables of the search service, all in its own `search` schema."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, REAL, REGCONFIG, TSVECTOR
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


# Access projection: the documents service's collections, grants and documents as its
# events told them (search.access). `updated_at` is the event time of the last change
# applied, so that a late event never undoes a newer one.


class CollectionAccess(Base):
    __tablename__ = "collections"
    __table_args__ = (Index("ix_collections_org_id", "org_id"),)

    collection_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID]
    visibility: Mapped[str] = mapped_column(String(16))  # 'org' | 'restricted'
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the grant set was last replaced as a whole: older grant events are void.
    members_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # ISO 639-1: the language of its texts too short for the detector (None: the org's).
    language: Mapped[str | None] = mapped_column(String(8))
    # PII in its texts is replaced by placeholders as they are indexed (ingestion/redaction).
    redact_pii: Mapped[bool] = mapped_column(default=False, server_default=sql_text("false"))


class CollectionGrant(Base):
    __tablename__ = "collection_grants"
    __table_args__ = (Index("ix_collection_grants_user", "user_id"),)

    collection_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # 'viewer' | 'editor' | 'manager'
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IndexedDocument(Base):
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_org_collection", "org_id", "collection_id"),
        Index("ix_documents_tags", "tags", postgresql_using="gin"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID]
    collection_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(500))
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=sql_text("'{}'::text[]"))
    mime_type: Mapped[str | None] = mapped_column(String(255))
    # When the documents service created the document (the first upload's event time).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # title, tags, place
    version_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # mime_type
    # ISO 639-1, set by an uploader: indexed in this language whatever the detector says.
    language: Mapped[str | None] = mapped_column(String(8))


class AccessTombstone(Base):
    """A deleted collection, document or revoked grant: later-delivered older events about it
    must not bring it back. Keys: 'collection:<id>', 'document:<id>', 'grant:<cid>:<uid>'."""

    __tablename__ = "access_tombstones"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrgIndexVersion(Base):
    """Moves on with every change to what an organization's searches can return (grants,
    visibility, collections, documents, indexed chunks): cached results key on it."""

    __tablename__ = "org_index_versions"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=sql_text("now()")
    )


class SavedSearch(Base):
    __tablename__ = "saved_searches"
    __table_args__ = (
        UniqueConstraint("org_id", "user_id", "name", name="uq_saved_searches_owner_name"),
        Index("ix_saved_searches_notify", "org_id", postgresql_where=sql_text("notify")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    # The owner's organization role when they last saved or listed it: notifications are
    # evaluated with it (search learns roles only from tokens).
    owner_role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(1000))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB)
    notify: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=sql_text("now()")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=sql_text("now()")
    )


class SavedSearchMatch(Base):
    """A version a saved search was notified about: once per version, even if re-indexed."""

    __tablename__ = "saved_search_matches"

    saved_search_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    matched_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=sql_text("now()")
    )


class QueryLog(Base):
    __tablename__ = "query_log"
    __table_args__ = (
        Index("ix_query_log_org_created", "org_id", "created_at"),
        Index("ix_query_log_created", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    query: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(16))
    result_count: Mapped[int]
    zero_result: Mapped[bool]
    took_ms: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=sql_text("now()")
    )


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
        # What an ingest batch takes next: the oldest queued versions.
        Index(
            "ix_documents_index_queue",
            "queued_at",
            postgresql_where=sql_text("status = 'queued'"),
        ),
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
    # {kind: count} of the PII replaced in the last indexing (None: not redacted)
    redactions: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    embedding_dimension: Mapped[int | None]
    # [{name, started_at, finished_at, duration_ms}] of the last attempt
    steps: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The version whose task holds this one in its batch (ingestion/batch.py); None: its own.
    claimed_by: Mapped[uuid.UUID | None]


# A chunk's full-text form: its header as the title field (weight A), then its text.
CHUNK_TSV = (
    "setweight(to_tsvector(text_search_config, coalesce(context, '')), 'A')"
    " || to_tsvector(text_search_config, text)"
)


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
        # Ranked chunk IDs → documents within the scope, index-only (`documents_of` of the
        # retrieval chunk repository).
        Index(
            "ix_chunks_id_scope",
            "id",
            postgresql_include=["org_id", "collection_id", "document_id"],
        ),
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
    # The chunk's header: its document's title and section heading (chunking.chunk_context).
    context: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int]
    language: Mapped[str | None] = mapped_column(String(16))
    text_search_config: Mapped[str] = mapped_column(
        REGCONFIG, server_default=sql_text("'simple'::regconfig")
    )
    # The header is the title field (weight A), which BM25 counts more (migration b6a6c0de0001).
    tsv: Mapped[Any] = mapped_column(TSVECTOR, Computed(CHUNK_TSV, persisted=True))
    # NULL when the model's vectors are not 384-dimensional: they live only in Pinecone.
    embedding: Mapped[Any] = mapped_column(Vector(EMBEDDING_DIMENSION), nullable=True)
    embedding_model: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=sql_text("now()")
    )


class TextPage(Base):
    """A page of a version's extracted text (`text == extracted[start_char:end_char]`), kept
    so that a hit's offsets resolve to a page and the document can be read page by page.

    `seq` counts the stored pages from 1; `page` is the file's page number for paged formats
    (PDF; pages without text are not stored) and NULL for the others, whose text is cut
    into pieces of a few thousand characters on paragraph boundaries.
    """

    __tablename__ = "text_pages"

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents_index.version_id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[int | None]
    start_char: Mapped[int]
    end_char: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


# BM25 over PostgreSQL's full-text structures. Both tables are kept by triggers on `chunks`
# (migration b2a2c0de0001), so every write path (ingestion, deletes, cascades, moves,
# TRUNCATE) updates them in its own transaction.


class Posting(Base):
    """One lexeme of one chunk: its term frequency and the chunk's length in lexemes."""

    __tablename__ = "postings"
    __table_args__ = (
        # The scoring scans read only this index (org, lexeme → everything they need), the
        # pruned one in the order of the postings' impact (best first).
        Index(
            "ix_postings_org_lexeme_impact",
            "org_id",
            "lexeme",
            sql_text("impact DESC"),
            postgresql_include=["collection_id", "chunk_id", "tf", "dl"],
        ),
    )

    chunk_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lexeme: Mapped[str] = mapped_column(Text, primary_key=True)
    org_id: Mapped[uuid.UUID]
    collection_id: Mapped[uuid.UUID]
    tf: Mapped[int] = mapped_column(SmallInteger)
    dl: Mapped[int]
    # BM25's term weight without IDF at a reference length (migration b7a7c0de0001): the
    # order in which a pruned query reads a lexeme's postings, not a score.
    impact: Mapped[float | None] = mapped_column(
        REAL,
        Computed("(tf::real / (tf::real + 0.9 * (0.6 + 0.4 * dl::real / 100.0)))", persisted=True),
    )


class CollectionTermStats(Base):
    """Chunk count and total length (in lexemes) per collection and text search config:
    BM25's N and average length over exactly the collections a search covers."""

    __tablename__ = "collection_term_stats"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    collection_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    text_search_config: Mapped[str] = mapped_column(REGCONFIG, primary_key=True)
    chunk_count: Mapped[int] = mapped_column(BigInteger)
    total_length: Mapped[int] = mapped_column(BigInteger)


class CollectionLexeme(Base):
    """A lexeme's document frequency (in chunks) in one collection and text search
    configuration: BM25's df, summed over the collections a search covers and the
    configurations that gave the query the lexeme, without counting postings."""

    __tablename__ = "collection_lexemes"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lexeme: Mapped[str] = mapped_column(Text, primary_key=True)
    collection_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    text_search_config: Mapped[str] = mapped_column(REGCONFIG, primary_key=True)
    chunk_count: Mapped[int] = mapped_column(BigInteger)


# Models kept in a domain's own module, imported here so that the metadata holds them all.
from sift.search.evaluation import models as _evaluation_models  # noqa: E402, F401
