"""Requests and answers of `/api/assistant/ask`, `/summarize` and feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from sift.assistant.models import COMMENT_LENGTH, Rating
from sift.core.schemas import Schema

MAX_QUESTION_CHARS = 2000
MAX_COLLECTIONS = 50


class AskRequest(Schema):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    conversation_id: uuid.UUID | None = None
    collection_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_COLLECTIONS)
    stream: bool = False

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is blank")
        return value.strip()


class Span(Schema):
    start: int = Field(ge=0, description="Offset in the document's extracted text")
    end: int = Field(ge=0, description="One past the last character")


class CitationRead(Schema):
    n: int
    document_id: uuid.UUID
    document_title: str
    chunk_id: uuid.UUID
    collection_id: uuid.UUID | None = None
    version_id: uuid.UUID | None = None
    page: int | None = Field(default=None, description="The page the quote starts on")
    page_end: int | None = Field(default=None, description="The cited chunk's last page")
    start_char: int = Field(description="Offset of the quote in the document's text")
    end_char: int
    span: Span | None = Field(
        default=None,
        description="The quote in the document's extracted text (its text equals `quote`)",
    )
    quote: str = Field(description="A span that occurs verbatim in the cited chunk")
    available: Literal[True] = Field(
        default=True, description="False only on a stored answer's unreadable citations"
    )


class UsageRead(Schema):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float = 0.0


class SkipRead(Schema):
    provider: str
    reason: str
    attempts: int = 0


class AnswerRead(Schema):
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    answer: str
    citations: list[CitationRead]
    provider: str
    model: str
    grounded: bool
    unsupported_sentences: list[str]
    dropped_citations: int = 0
    skipped: list[SkipRead] = Field(
        default_factory=list, description="Providers that did not answer, and why"
    )
    retrieval_query: str
    cached: bool = False
    latency_ms: int
    usage: UsageRead


class SummarizeRequest(Schema):
    document_id: uuid.UUID


class SummaryRead(Schema):
    document_id: uuid.UUID
    document_title: str
    summary: str
    citations: list[CitationRead]
    provider: str
    model: str
    grounded: bool
    unsupported_sentences: list[str]
    sections: int = Field(description="Map steps (1 when the document fits one prompt)")
    latency_ms: int
    usage: UsageRead


class FeedbackCreate(Schema):
    rating: Rating
    comment: str | None = Field(default=None, max_length=COMMENT_LENGTH)


class FeedbackRead(Schema):
    message_id: uuid.UUID
    rating: Rating
    comment: str | None
    created_at: datetime
    updated_at: datetime


class UsageTotals(Schema):
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


class UsageReport(Schema):
    """AI usage today and over the last 30 days (UTC days)."""

    user_today: UsageTotals
    user_30_days: UsageTotals
    organization_today: UsageTotals | None = Field(
        default=None, description="Only for those who may read the organization's analytics"
    )
    organization_30_days: UsageTotals | None = None
