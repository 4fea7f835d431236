"""`/api/assistant/ask` (JSON or SSE), `/summarize`, answer feedback and usage."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse

from sift.assistant.answers import exceptions
from sift.assistant.answers.generation import RestartEvent, TokenEvent
from sift.assistant.answers.schemas import (
    AnswerRead,
    AskRequest,
    FeedbackCreate,
    FeedbackRead,
    SummarizeRequest,
    SummaryRead,
    UsageReport,
)
from sift.assistant.answers.service import AnswerEvent, CitationsEvent, answer_service
from sift.assistant.answers.summaries import summary_service
from sift.assistant.auth import AssistantAsk
from sift.assistant.conversations.service import conversation_service
from sift.assistant.dependencies import (
    AiQuotaDep,
    DatabaseDep,
    ForwardedAuthorization,
    MonthlyQuotaDep,
)
from sift.assistant.runtime import RuntimeDep
from sift.core.db import ReadSessionDep, SessionDep
from sift.core.errors import RateLimited, SiftError, problem_details

log = structlog.get_logger()

router = APIRouter(prefix="/api/assistant", tags=["assistant"])

_ASK_ERRORS = {
    **RateLimited.openapi(),  # also the monthly quota (`monthly-quota-exceeded`)
    **exceptions.ConversationNotFound.openapi(),
    **exceptions.RetrievalUnavailable.openapi(),
}
_SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer; with `stream: true` or `Accept: text/event-stream`, SSE "
        "events `token` (text as it comes), `restart` (a provider failed mid-answer: discard "
        "the text so far), `citations`, `done` (the checked answer, unresolved marks removed) "
        "or `error` (problem details).",
        "content": {"text/event-stream": {}},
    }
}


def _wants_stream(request: Request, body: AskRequest) -> bool:
    return body.stream or "text/event-stream" in request.headers.get("accept", "")


@router.post("/ask", response_model=AnswerRead, responses={**_SSE, **_ASK_ERRORS})
async def ask(
    principal: AssistantAsk,
    _: AiQuotaDep,
    __: MonthlyQuotaDep,
    body: AskRequest,
    request: Request,
    database: DatabaseDep,
    runtime: RuntimeDep,
    authorization: ForwardedAuthorization,
) -> Any:
    """Answer a question from the caller's documents, with verifiable citations."""
    events = await answer_service.ask(database, runtime, principal, authorization, body)
    if _wants_stream(request, body):
        return EventSourceResponse(_sse(events), ping=15)
    return await _recorded(events)


async def _recorded(events: AsyncIterator[AnswerEvent]) -> AnswerRead:
    answer = None
    async for event in events:
        answer = event
    assert isinstance(answer, AnswerRead)  # the last event, or the stream raised
    return answer


async def _sse(events: AsyncIterator[AnswerEvent]) -> AsyncIterator[dict[str, str]]:
    try:
        async for event in events:
            if isinstance(event, TokenEvent):
                yield _event("token", {"text": event.text})
            elif isinstance(event, RestartEvent):
                # The partial answer is void: the client clears it, the next provider answers.
                yield _event("restart", {"provider": event.provider, "reason": event.reason})
            elif isinstance(event, CitationsEvent):
                citations = [c.model_dump(mode="json") for c in event.citations]
                yield _event("citations", {"citations": citations, "dropped": event.dropped})
            else:
                yield {"event": "done", "data": event.model_dump_json()}
    except SiftError as error:
        details = problem_details(
            error.status_code, error.title, error.detail, code=error.code, **error.extensions
        )
        yield _event("error", details)
    except Exception:  # the stream has started: the client can only be told by an event
        log.exception("assistant.stream.failed")
        yield _event("error", problem_details(500, "Internal server error", "The answer failed."))


def _event(name: str, data: Any) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, separators=(",", ":"))}


@router.post(
    "/summarize",
    response_model=SummaryRead,
    responses={
        **RateLimited.openapi(),
        **exceptions.DocumentNotFound.openapi(),
        **exceptions.RetrievalUnavailable.openapi(),
    },
)
async def summarize(
    principal: AssistantAsk,
    _: AiQuotaDep,
    __: MonthlyQuotaDep,
    body: SummarizeRequest,
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: ForwardedAuthorization,
) -> SummaryRead:
    """Summarize one document the caller may read, with citations."""
    return await summary_service.summarize(
        session, runtime, principal, authorization, body.document_id
    )


@router.post(
    "/messages/{message_id}/feedback",
    response_model=FeedbackRead,
    responses=exceptions.MessageNotFound.openapi(),
)
async def give_feedback(
    principal: AssistantAsk, message_id: uuid.UUID, body: FeedbackCreate, session: SessionDep
) -> FeedbackRead:
    """Rate one of the caller's answers up or down (again to change it), with a comment."""
    feedback = await conversation_service.feedback(session, principal, message_id, body)
    return FeedbackRead.from_row(feedback)


@router.get("/usage", response_model=UsageReport)
async def usage(principal: AssistantAsk, session: ReadSessionDep) -> UsageReport:
    """The caller's AI requests, tokens and cost (and the organization's, for analysts)."""
    return await conversation_service.usage(session, principal)
