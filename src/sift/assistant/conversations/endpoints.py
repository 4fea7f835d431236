"""The caller's conversations with the assistant (`/api/assistant/conversations`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from sift.assistant.answers.exceptions import ConversationNotFound, RetrievalUnavailable
from sift.assistant.auth import AssistantAsk
from sift.assistant.conversations.schemas import ConversationDetail, ConversationRead
from sift.assistant.conversations.service import conversation_service
from sift.assistant.dependencies import ForwardedAuthorization
from sift.assistant.runtime import RuntimeDep
from sift.core.db import ReadSessionDep
from sift.core.pagination import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    InvalidCursor,
    Page,
)
from sift.core.text import StorableText

router = APIRouter(prefix="/api/assistant/conversations", tags=["conversations"])


@router.get("", response_model=Page[ConversationRead], responses=InvalidCursor.openapi())
async def list_conversations(
    principal: AssistantAsk,
    session: ReadSessionDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[ConversationRead]:
    """The caller's conversations (a person's include their API keys'), most recent first."""
    items, next_cursor = await conversation_service.page(
        session, principal, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/{conversation_id}",
    response_model=ConversationDetail,
    responses={**ConversationNotFound.openapi(), **RetrievalUnavailable.openapi()},
)
async def get_conversation(
    principal: AssistantAsk,
    conversation_id: uuid.UUID,
    session: ReadSessionDep,
    runtime: RuntimeDep,
    authorization: ForwardedAuthorization,
) -> ConversationDetail:
    """One of the caller's conversations with every message, citations and feedback; an answer
    quoting a document the caller can no longer read is withheld."""
    return await conversation_service.get(
        session, runtime, principal, authorization, conversation_id
    )
