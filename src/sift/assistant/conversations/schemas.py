"""Conversations and their messages as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sift.assistant.models import MessageRole, Rating
from sift.core.schemas import Schema


class ConversationRead(Schema):
    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime


class MessageFeedback(Schema):
    rating: Rating
    comment: str | None


class MessageRead(Schema):
    id: uuid.UUID
    role: MessageRole
    content: str
    created_at: datetime
    citations: list[dict[str, Any]] = []
    provider: str | None = None
    model: str | None = None
    grounded: bool | None = None
    unsupported_sentences: list[str] = []
    cached: bool = False
    latency_ms: int | None = None
    feedback: MessageFeedback | None = None


class ConversationDetail(ConversationRead):
    messages: list[MessageRead]
