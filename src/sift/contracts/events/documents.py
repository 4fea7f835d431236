"""Events of the document lifecycle: upload, indexing, deletion."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import Field

from sift.contracts.events.base import EventPayload, event


@event("document.uploaded", version=1)
class DocumentUploaded(EventPayload):
    """A document version is stored and committed; `search` indexes it."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=255)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    storage_key: str = Field(min_length=1, max_length=1024)


@event("document.indexed", version=1)
class DocumentIndexed(EventPayload):
    """A document version is searchable (full text and vectors)."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    chunk_count: int = Field(ge=0)
    page_count: int | None = Field(default=None, ge=0)
    language: str | None = Field(default=None, max_length=16)
    embedding_model: str = Field(min_length=1, max_length=200)
    duration_ms: int = Field(ge=0)


class IndexFailureCode(StrEnum):
    unsupported_type = "unsupported_type"
    extraction_failed = "extraction_failed"
    no_text = "no_text"
    too_large = "too_large"
    embedding_failed = "embedding_failed"
    timeout = "timeout"
    internal_error = "internal_error"


@event("document.index_failed", version=1)
class DocumentIndexFailed(EventPayload):
    """Indexing gave up; `reason` is for people and never quotes the document."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    code: IndexFailureCode
    reason: str = Field(max_length=1000)
    retryable: bool = False


class DeletionReason(StrEnum):
    user_request = "user_request"
    collection_deleted = "collection_deleted"
    retention = "retention"
    erasure = "erasure"


@event("document.deleted", version=1)
class DocumentDeleted(EventPayload):
    """A document and all its versions are gone; derived data (chunks, vectors) must follow."""

    document_id: uuid.UUID
    collection_id: uuid.UUID
    reason: DeletionReason
