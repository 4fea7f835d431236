"""One example of each event the assistant service added, for tests/contracts."""

from __future__ import annotations

import uuid

from sift.contracts.events import AssistantAnswered, EventPayload, FeedbackGiven

ID = uuid.UUID("01900000-0000-7000-8000-000000000004")
USER = uuid.UUID("01900000-0000-7000-8000-000000000005")

ASSISTANT_EXAMPLES: list[EventPayload] = [
    AssistantAnswered(
        message_id=ID,
        conversation_id=ID,
        user_id=USER,
        document_ids=[ID],
        provider="gemini",
        model="gemini-2.5-flash",
        latency_ms=1200,
        prompt_tokens=900,
        completion_tokens=120,
        cost_usd=0.0004,
        failover=True,
    ),
    FeedbackGiven(message_id=ID, user_id=USER, rating="down", previous_rating="up"),
]
