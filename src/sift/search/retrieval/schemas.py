"""Request and response bodies of search and of the assistant's retrieval endpoints."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from sift.core.schemas import Schema
from sift.search.retrieval.cursor import MAX_CURSOR_LENGTH
from sift.search.retrieval.query import MAX_QUERY_CHARS
from sift.search.retrieval.repository.chunks import ChunkRow

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_FILTER_VALUES = 100


class Mode(StrEnum):
    hybrid = "hybrid"
    fulltext = "fulltext"
    semantic = "semantic"


def _clean_strings(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    cleaned = sorted({value.strip() for value in values if value.strip()})
    return cleaned or None


class SearchRequest(Schema):
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    mode: Mode = Mode.hybrid
    collection_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_FILTER_VALUES)
    tags: list[str] | None = Field(default=None, max_length=MAX_FILTER_VALUES)
    mime_types: list[str] | None = Field(default=None, max_length=MAX_FILTER_VALUES)
    created_after: datetime | None = None
    created_before: datetime | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is blank")
        return value

    @field_validator("tags", "mime_types")
    @classmethod
    def _clean(cls, values: list[str] | None) -> list[str] | None:
        return _clean_strings(values)

    @field_validator("created_after", "created_before")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone (RFC 3339, e.g. 2026-01-31T00:00:00Z)")
        return value


class SearchHit(BaseModel):
    document_id: uuid.UUID
    document_title: str
    collection_id: uuid.UUID
    version_id: uuid.UUID
    chunk_id: uuid.UUID
    page: int | None
    page_end: int | None
    start_char: int
    end_char: int
    score: float
    snippet: str = Field(description="HTML: escaped text with <mark> around matching terms")
    text: str = Field(description="The chunk's plain text (not HTML)")

    @classmethod
    def from_row(cls, row: ChunkRow, *, score: float, snippet: str) -> SearchHit:
        return cls.model_validate({**asdict(row), "score": score, "snippet": snippet})


class SearchResponse(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None = None
    took_ms: int


class RetrieveRequest(Schema):
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    collection_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_FILTER_VALUES)
    document_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_FILTER_VALUES)
    limit: int = Field(default=8, ge=1, le=50)
    mode: Mode = Mode.hybrid

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is blank")
        return value


class Passage(BaseModel):
    chunk_id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    collection_id: uuid.UUID
    version_id: uuid.UUID
    page: int | None
    page_end: int | None
    start_char: int
    end_char: int
    text: str
    score: float

    @classmethod
    def from_row(cls, row: ChunkRow, *, score: float) -> Passage:
        return cls.model_validate({**asdict(row), "score": score})


class RetrieveResponse(BaseModel):
    passages: list[Passage]


class DocumentPassages(BaseModel):
    document_id: uuid.UUID
    document_title: str
    passages: list[Passage]
