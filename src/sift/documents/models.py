"""Tables of the documents service, all in its own `documents` schema.

A document's bytes live in storage, one object per version; the rows here say where.
`documents.sha256` repeats the current version's digest so that one partial unique index
(collection, sha256) refuses the same bytes twice in a collection, also under races.
A deleted document keeps its row (with `deleted_at`) until its blobs are gone: a crash
between the commit and the blob deletion leaves a record to finish from, never an orphan.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sift.core.db import IdMixin, TimestampMixin, service_metadata
from sift.core.events.tables import OutboxMixin, ProcessedEventMixin

Timestamp = DateTime(timezone=True)
NAME_LENGTH = 200
TITLE_LENGTH = 300
FILENAME_LENGTH = 255
TAG_LENGTH = 50


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


class Base(DeclarativeBase):
    metadata = service_metadata("documents")


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class Visibility(StrEnum):
    org = "org"  # every member of the organization, per their org role
    restricted = "restricted"  # members granted on the collection, plus owners and admins


class CollectionRole(StrEnum):
    viewer = "viewer"
    editor = "editor"
    manager = "manager"

    @property
    def rank(self) -> int:
        return _COLLECTION_RANKS[self]


_COLLECTION_RANKS = {
    CollectionRole.viewer: 0,
    CollectionRole.editor: 1,
    CollectionRole.manager: 2,
}


class DocumentStatus(StrEnum):
    uploaded = "uploaded"
    processing = "processing"
    indexed = "indexed"
    failed = "failed"


class Collection(IdMixin, TimestampMixin, Base):
    __tablename__ = "collections"

    org_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    visibility: Mapped[str] = mapped_column(String(20), default=Visibility.org)
    created_by: Mapped[uuid.UUID]
    # ISO 639-1: the language of its texts too short for detection (None: the organization's).
    language: Mapped[str | None] = mapped_column(String(8))
    # Search indexes its texts with PII (e-mail, phone, IBAN, card, IP) replaced by placeholders.
    redact_pii: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Off (only with `redact_pii`): a version's file leaves storage once search has indexed
    # its redacted text; downloads and re-indexing are no longer possible.
    keep_original_files: Mapped[bool] = mapped_column(default=True, server_default=text("true"))

    __table_args__ = (
        CheckConstraint(_one_of("visibility", Visibility), name="visibility"),
        CheckConstraint("keep_original_files OR redact_pii", name="keep_original_files"),
        # Names are unique per organization, whatever their case.
        Index("uq_collections_org_id_name", "org_id", func.lower(text("name")), unique=True),
    )


class CollectionMember(TimestampMixin, Base):
    """A grant on a restricted collection."""

    __tablename__ = "collection_members"

    collection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_by: Mapped[uuid.UUID]

    __table_args__ = (CheckConstraint(_one_of("role", CollectionRole), name="role"),)


class Document(IdMixin, TimestampMixin, Base):
    __tablename__ = "documents"

    org_id: Mapped[uuid.UUID]
    # RESTRICT: a collection goes only once its documents (and their blobs) are gone.
    collection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collections.id", ondelete="RESTRICT")
    )
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    current_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document_versions.id", use_alter=True, ondelete="SET NULL")
    )
    sha256: Mapped[str] = mapped_column(String(64))  # of the current version
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.uploaded)
    # When `status` last changed: status events older than this are stale and ignored.
    status_changed_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(String(1000))
    page_count: Mapped[int | None] = mapped_column(Integer)
    chunk_count: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(16))  # as indexed (search says)
    # ISO 639-1 set by an uploader: indexed in it whatever detection says (None: detect).
    language_override: Mapped[str | None] = mapped_column(String(8))
    # {kind: count} of the PII search replaced when indexing it (None: not redacted)
    redactions: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(TAG_LENGTH)), default=list, server_default=text("'{}'")
    )
    created_by: Mapped[uuid.UUID]
    deleted_at: Mapped[datetime | None] = mapped_column(Timestamp)

    current_version: Mapped[DocumentVersion | None] = relationship(
        foreign_keys=[current_version_id], lazy="raise", post_update=True
    )

    __table_args__ = (
        CheckConstraint(_one_of("status", DocumentStatus), name="status"),
        # The list: a collection's (or an organization's) live documents, newest first.
        Index(
            "ix_documents_collection_id_id",
            "collection_id",
            text("id DESC"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_documents_org_id_id",
            "org_id",
            text("id DESC"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_documents_org_id_status",
            "org_id",
            "status",
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_documents_tags", "tags", postgresql_using="gin"),
        # Dedupe: the same bytes once per collection (among live documents).
        Index(
            "uq_documents_collection_id_sha256",
            "collection_id",
            "sha256",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # Deleted rows whose blobs are still to be removed.
        Index(
            "ix_documents_deleted_at",
            "deleted_at",
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
    )


class DocumentVersion(IdMixin, Base):
    __tablename__ = "document_versions"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(1024), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(255))
    charset: Mapped[str | None] = mapped_column(String(32))  # text files whose encoding is known
    filename: Mapped[str] = mapped_column(String(FILENAME_LENGTH))
    created_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    # When its file left storage (its collection keeps only the redacted text; None: kept).
    original_dropped_at: Mapped[datetime | None] = mapped_column(Timestamp)

    __table_args__ = (
        Index("uq_document_versions_document_id_number", "document_id", "number", unique=True),
        CheckConstraint("size >= 0", name="size"),
        CheckConstraint("number >= 1", name="number"),
    )


class OrganizationSettings(TimestampMixin, Base):
    """An organization's defaults for its documents; no row means every default is off."""

    __tablename__ = "org_settings"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Applied to a collection created without an explicit `redact_pii`.
    redact_pii_default: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    updated_by: Mapped[uuid.UUID]
