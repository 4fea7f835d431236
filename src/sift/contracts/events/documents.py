"""Events of the document lifecycle: upload, new versions, indexing, deletion."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    # Added later (optional, so earlier events stay readable): search filters on them.
    title: str | None = Field(default=None, max_length=500)
    tags: list[str] = Field(default_factory=list)
    # Added later (optional): the language an uploader set (ISO 639-1), None to detect it.
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")


@event("document.version_created", version=1)
class DocumentVersionCreated(EventPayload):
    """A new version of an existing document is stored; `search` indexes it in place of the
    older ones (which the documents service keeps and lists)."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=255)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    storage_key: str = Field(min_length=1, max_length=1024)
    title: str | None = Field(default=None, max_length=500)
    tags: list[str] = Field(default_factory=list)
    # Added later (optional): the language an uploader set (ISO 639-1), None to detect it.
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")


@event("document.updated", version=1)
class DocumentUpdated(EventPayload):
    """A document's metadata changed (title, tags; `collection_id` is where it now is)."""

    document_id: uuid.UUID
    collection_id: uuid.UUID
    title: str = Field(min_length=1, max_length=500)
    tags: list[str] = Field(default_factory=list)
    # Added later (optional): the language an uploader set (ISO 639-1), None to detect it.
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")


@event("document.reindex_requested", version=1)
class DocumentReindexRequested(EventPayload):
    """Someone asked to index a stored version again (retry of a failure, bulk re-index)."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    content_type: str = Field(min_length=1, max_length=255)
    storage_key: str = Field(min_length=1, max_length=1024)
    filename: str | None = Field(default=None, max_length=255)


@event("document.index_started", version=1)
class DocumentIndexStarted(EventPayload):
    """A worker began indexing a version (status `processing`); sent once per attempt."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    attempt: int = Field(ge=1)


class IndexStep(BaseModel):
    """One step of the ingestion pipeline as it ran (extract, nlp, chunk, embed, index)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=32)
    started_at: AwareDatetime
    finished_at: AwareDatetime
    duration_ms: int = Field(ge=0)
    # What a reader should know about how the step went ("Replaced 1 stray control
    # character"); added later, so older payloads have none.
    note: str | None = Field(default=None, max_length=300)


@event("document.indexed", version=1)
class DocumentIndexed(EventPayload):
    """A document version is searchable (full text and vectors).

    `superseded`: a newer version was indexed first, so this one was not (chunk_count 0).
    """

    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    chunk_count: int = Field(ge=0)
    page_count: int | None = Field(default=None, ge=0)
    language: str | None = Field(default=None, max_length=16)
    embedding_model: str = Field(min_length=1, max_length=200)
    duration_ms: int = Field(ge=0)
    steps: list[IndexStep] = Field(default_factory=list)
    superseded: bool = False
    # Added later (optional): {kind: count} of the PII replaced by placeholders in the
    # indexed text ("email", "phone", "iban", "card", "ip", "person"); None: not redacted.
    redactions: dict[str, int] | None = None


class IndexFailureCode(StrEnum):
    unsupported_type = "unsupported_type"
    extraction_failed = "extraction_failed"
    encrypted_pdf = "encrypted_pdf"
    corrupt_file = "corrupt_file"
    no_text = "no_text"
    too_large = "too_large"
    embedding_failed = "embedding_failed"
    index_unavailable = "index_unavailable"  # the vector index (Pinecone) stayed unreachable
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
    steps: list[IndexStep] = Field(default_factory=list)


class DeletionReason(StrEnum):
    user_request = "user_request"
    collection_deleted = "collection_deleted"
    retention = "retention"
    erasure = "erasure"


@event("document.downloaded", version=1)
class DocumentDownloaded(EventPayload):
    """Someone fetched a version's original file (the audit log records who read what)."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    size_bytes: int = Field(ge=0)


@event("document.deleted", version=1)
class DocumentDeleted(EventPayload):
    """A document and all its versions are gone; derived data (chunks, vectors) must follow."""

    document_id: uuid.UUID
    collection_id: uuid.UUID
    reason: DeletionReason


# Collections (added by the documents service): search enforces read access from these.


class CollectionVisibilityName(StrEnum):
    org = "org"  # every member of the organization, per their org role
    restricted = "restricted"  # granted members, plus owners and admins


class CollectionRoleName(StrEnum):
    viewer = "viewer"
    editor = "editor"
    manager = "manager"


@event("collection.created", version=1)
class CollectionCreated(EventPayload):
    collection_id: uuid.UUID
    visibility: CollectionVisibilityName
    created_by: uuid.UUID
    # Added later (optional): the language (ISO 639-1) of its texts too short for language
    # detection; None: the organization's default.
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    # Added later (optional): PII in its texts is redacted as they are indexed.
    redact_pii: bool = False


@event("collection.updated", version=1)
class CollectionUpdated(EventPayload):
    """Name, description, language or PII redaction changed (`fields` says which; the values
    stay in the service, but for `language` and `redact_pii`, which search needs)."""

    collection_id: uuid.UUID
    fields: list[str]
    # Added later (optional): the collection's language when `fields` holds "language".
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    # Added later (optional): the collection's setting when `fields` holds "redact_pii".
    redact_pii: bool | None = None


@event("collection.visibility_changed", version=1)
class CollectionVisibilityChanged(EventPayload):
    """`restricted`: only `members` (the grants at this moment) and owners/admins may read."""

    collection_id: uuid.UUID
    old_visibility: CollectionVisibilityName
    new_visibility: CollectionVisibilityName
    members: list[uuid.UUID] = Field(default_factory=list)


@event("collection.deleted", version=1)
class CollectionDeleted(EventPayload):
    collection_id: uuid.UUID


@event("collection.member_granted", version=1)
class CollectionMemberGranted(EventPayload):
    """A grant was added or changed (`previous_role` is null for a new one)."""

    collection_id: uuid.UUID
    user_id: uuid.UUID
    role: CollectionRoleName
    previous_role: CollectionRoleName | None = None


@event("collection.member_revoked", version=1)
class CollectionMemberRevoked(EventPayload):
    collection_id: uuid.UUID
    user_id: uuid.UUID
    previous_role: CollectionRoleName
