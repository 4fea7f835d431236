"""Request and response bodies of documents and their versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from sift.core.languages import language_code
from sift.core.schemas import Schema
from sift.core.text import DisplayName, display_name
from sift.documents.models import (
    TAG_LENGTH,
    TITLE_LENGTH,
    Document,
    DocumentStatus,
    DocumentVersion,
)

MAX_TAGS = 20


def clean_tags(values: list[str] | None) -> list[str] | None:
    """Comma-separated or repeated, cleaned as names, deduplicated (case-insensitively),
    in order."""
    if values is None:
        return None
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        for part in value.split(","):
            tag = display_name(part)
            if not tag:
                continue
            if len(tag) > TAG_LENGTH:
                raise ValueError(f"a tag has at most {TAG_LENGTH} characters")
            if tag.lower() not in seen:
                seen.add(tag.lower())
                tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return tags


class DocumentError(Schema):
    code: str
    message: str


class Step(Schema):
    name: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: int | None = None
    note: str | None = None  # e.g. how many stray control characters extraction replaced


class DocumentRead(Schema):
    id: uuid.UUID
    collection_id: uuid.UUID
    title: str
    status: DocumentStatus
    error: DocumentError | None = None
    sha256: str
    size: int
    mime_type: str
    filename: str
    version: int
    version_id: uuid.UUID
    tags: list[str]
    page_count: int | None = None
    chunk_count: int | None = None
    language: str | None = None  # the language it is indexed in
    # The language an uploader set (null: detected, else the collection's).
    language_override: str | None = None
    # PII replaced by placeholders in the indexed text, per kind (null: its collection does
    # not redact); the stored file is the original.
    redactions: dict[str, int] | None = None
    # False once the current version's file left storage (its collection keeps only the
    # redacted text): no download (410), no re-indexing (409); its text pages remain.
    original_kept: bool = True
    steps: list[Step] = Field(default_factory=list)
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, document: Document) -> DocumentRead:
        """The document with its current version's file (which a live document always has)."""
        version = document.current_version
        assert version is not None, "a live document always has a version"
        error = None
        if document.error_code:
            error = DocumentError(code=document.error_code, message=document.error_message or "")
        return cls.from_row(
            document,
            error=error,
            sha256=version.sha256,
            size=version.size,
            mime_type=version.mime_type,
            filename=version.filename,
            version=version.number,
            version_id=version.id,
            original_kept=version.original_dropped_at is None,
            steps=steps_of(document.steps),
        )


class DocumentUpdate(Schema):
    title: DisplayName | None = Field(default=None, min_length=1, max_length=TITLE_LENGTH)
    tags: list[str] | None = None
    # ISO 639-1: index the document in this language (re-indexes it when it changes); an
    # explicit null lets detection decide again.
    language: str | None = None

    _tags = field_validator("tags")(clean_tags)
    _language = field_validator("language")(language_code)


class VersionRead(Schema):
    id: uuid.UUID
    number: int
    sha256: str
    size: int
    mime_type: str
    filename: str
    current: bool
    # When its file left storage (null: kept; see DocumentRead.original_kept).
    original_dropped_at: datetime | None = None
    created_by: uuid.UUID
    created_at: datetime

    @classmethod
    def of(cls, version: DocumentVersion, document: Document) -> VersionRead:
        return cls.from_row(version, current=version.id == document.current_version_id)


class ReindexRead(Schema):
    queued: int


def steps_of(raw: Any) -> list[Step]:
    return [
        Step.model_validate(step, extra="ignore") for step in raw or [] if isinstance(step, dict)
    ]
