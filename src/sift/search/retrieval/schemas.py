"""Request and response bodies of search and of the assistant's retrieval endpoints."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, Field, field_validator

from sift.core.schemas import Schema
from sift.search.retrieval.cursor import MAX_CURSOR_LENGTH
from sift.search.retrieval.locate import locate
from sift.search.retrieval.query import MAX_QUERY_CHARS
from sift.search.retrieval.repository.chunks import ChunkRow

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_FILTER_VALUES = 100


class Mode(StrEnum):
    hybrid = "hybrid"
    fulltext = "fulltext"
    semantic = "semantic"


class GroupBy(StrEnum):
    document = "document"


class Match(StrEnum):
    matching = "matching"
    related = "related"


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
    group_by: GroupBy | None = Field(
        default=None,
        description="document: one item per document (its best passage), with its best"
        " passages under it in `passages`; `limit` and the cursor count documents."
        " Absent: one item per passage",
    )

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


class Span(BaseModel):
    start: int = Field(ge=0, description="Offset in the document's extracted text")
    end: int = Field(ge=0, description="One past the last character")


class PageSpan(BaseModel):
    page: int
    start: int
    end: int


class PassageHit(BaseModel):
    document_id: uuid.UUID
    document_title: str
    collection_id: uuid.UUID
    version_id: uuid.UUID
    chunk_id: uuid.UUID
    page: int | None = Field(
        description="The page of the hit's passage (its first highlighted word); null for"
        " formats without pages"
    )
    page_end: int | None = Field(description="The last page of the hit's chunk")
    start_char: int = Field(description="Offset of the chunk in the document's extracted text")
    end_char: int
    span: Span | None = Field(
        default=None,
        description="The passage in the document's extracted text: the highlighted fragment,"
        " or the whole chunk for a hit found by meaning alone",
    )
    score: float = Field(
        description="hybrid: the fused rank score; fulltext: BM25; semantic: the cosine"
        " similarity of the passage to the query (-1 to 1)"
    )
    match: Match = Field(
        default=Match.matching,
        description="matching: the query's words are in the passage, or its meaning is as"
        " close as hybrid search requires (the similarity floor); related: found by"
        " meaning alone, under the floor (semantic mode only)",
    )
    snippet: str = Field(description="HTML: escaped text with <mark> around matching terms")
    text: str = Field(description="The chunk's plain text (not HTML)")

    @classmethod
    def from_row(
        cls, row: ChunkRow, *, score: float, snippet: str, match: Match = Match.matching
    ) -> Self:
        where = locate(row)
        return cls.model_validate(
            {
                **asdict(row),
                "page": where.page,
                "span": Span(start=where.start, end=where.end),
                "score": score,
                "snippet": snippet,
                "match": match,
            }
        )


class SearchHit(PassageHit):
    passages: list[PassageHit] | None = Field(
        default=None,
        description="With group_by=document: the document's best passages, best first (the"
        " first is this item itself)",
    )


class SearchResponse(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None = None
    took_ms: int
    query_id: uuid.UUID | None = Field(
        default=None,
        description="This search in the query log: what `POST /api/search/clicks` names",
    )


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
    pages: list[PageSpan] = Field(
        default_factory=list,
        description="Where each page the chunk spans lies in the document's text (only for"
        " a chunk over several pages)",
    )
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
