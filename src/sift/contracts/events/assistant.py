"""Events of the assistant: the data-access trail of answers (for audit)."""

from __future__ import annotations

import uuid

from pydantic import Field

from sift.contracts.events.base import EventPayload, event


@event("assistant.answered", version=1)
class AssistantAnswered(EventPayload):
    """An answer (or summary) was given from these documents' passages.

    Carries no question or answer text: the trail says who read what through the
    assistant, not what was asked.
    """

    message_id: uuid.UUID | None = None  # None for a summary, which is not stored as a message
    conversation_id: uuid.UUID | None = None
    user_id: uuid.UUID
    document_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    provider: str = Field(min_length=1, max_length=32)
    model: str = Field(min_length=1, max_length=100)
    kind: str = Field(default="answer", pattern=r"^(answer|summary)$")
    cached: bool = False
    # Added later (optional, so earlier events stay readable): usage analytics.
    latency_ms: int | None = Field(default=None, ge=0)
    prompt_tokens: int | None = Field(default=None, ge=0)
    completion_tokens: int | None = Field(default=None, ge=0)
    cost_usd: float | None = Field(default=None, ge=0)
    failover: bool = False  # a provider before the one that answered was skipped


@event("assistant.feedback_given", version=1)
class FeedbackGiven(EventPayload):
    """Someone rated an answer (or changed their rating: `previous_rating`). The comment
    stays in the assistant."""

    message_id: uuid.UUID
    user_id: uuid.UUID
    rating: str = Field(pattern=r"^(up|down)$")
    previous_rating: str | None = Field(default=None, pattern=r"^(up|down)$")
