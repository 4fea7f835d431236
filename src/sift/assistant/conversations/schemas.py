"""Conversations and their messages as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from sift.assistant.answers.schemas import CitationRead
from sift.assistant.models import Feedback, Message, MessageRole, Rating
from sift.core.schemas import Schema


class ConversationRead(Schema):
    id: uuid.UUID
    title: str
    api_key_id: uuid.UUID | None = Field(
        default=None, description="The API key that started it; null: a signed-in session"
    )
    created_at: datetime
    updated_at: datetime


class MessageFeedback(Schema):
    rating: Rating
    comment: str | None


class UnavailableCitation(Schema):
    """A citation of a document the caller may no longer read: only its number is left."""

    n: int
    available: Literal[False] = False


class MessageRead(Schema):
    id: uuid.UUID
    role: MessageRole
    content: str = Field(description="Empty when `withheld`")
    created_at: datetime
    withheld: bool = Field(
        default=False,
        description="The answer cites a document the caller may no longer read: its text "
        "and unsupported sentences are not shown",
    )
    citations: list[CitationRead | UnavailableCitation] = []
    provider: str | None = None
    model: str | None = None
    grounded: bool | None = None
    unsupported_sentences: list[str] = []
    cached: bool = False
    latency_ms: int | None = None
    feedback: MessageFeedback | None = None

    @classmethod
    def of(
        cls,
        message: Message,
        *,
        withheld: bool,
        citations: list[CitationRead | UnavailableCitation],
        feedback: Feedback | None,
    ) -> MessageRead:
        """`message` with the citations the caller may see; `withheld` hides its text."""
        return cls.from_row(
            message,
            content="" if withheld else message.content,
            withheld=withheld,
            citations=citations,
            unsupported_sentences=[] if withheld else message.unsupported_sentences,
            feedback=None if feedback is None else MessageFeedback.from_row(feedback),
        )


class ConversationDetail(ConversationRead):
    messages: list[MessageRead]
