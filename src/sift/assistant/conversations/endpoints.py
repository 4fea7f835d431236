"""The caller's conversations with the assistant (`/api/assistant/conversations`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from sift.assistant.answers.exceptions import ConversationNotFound
from sift.assistant.auth import AssistantAsk
from sift.assistant.conversations.schemas import ConversationDetail, ConversationRead
from sift.assistant.conversations.service import conversation_service
from sift.assistant.schemas import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    InvalidCursor,
    Page,
)
from sift.core.db import ReadSessionDep
from sift.core.text import StorableText

router = APIRouter(prefix="/api/assistant/conversations", tags=["conversations"])


@router.get("", response_model=Page[ConversationRead], responses=InvalidCursor.openapi())
async def list_conversations(
    principal: AssistantAsk,
    session: ReadSessionDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[ConversationRead]:
    """The caller's conversations, most recently active first."""
    items, next_cursor = await conversation_service.page(
        session, principal, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/{conversation_id}",
    response_model=ConversationDetail,
    responses=ConversationNotFound.openapi(),
)
async def get_conversation(
    principal: AssistantAsk, conversation_id: uuid.UUID, session: ReadSessionDep
) -> ConversationDetail:
    """One of the caller's conversations with every message, citations and feedback."""
    return await conversation_service.get(session, principal, conversation_id)
