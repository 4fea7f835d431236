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
from sift.assistant.answers.schemas import (
    AnswerRead,
    AskRequest,
    FeedbackCreate,
    FeedbackRead,
    SummarizeRequest,
    SummaryRead,
    UsageReport,
)
from sift.assistant.answers.service import (
    Outcome,
    Prepared,
    RestartEvent,
    TokenEvent,
    answer_service,
)
from sift.assistant.answers.summaries import summary_service
from sift.assistant.auth import AssistantAsk
from sift.assistant.conversations.service import conversation_service
from sift.assistant.dependencies import AiQuotaDep, ForwardedAuthorization
from sift.assistant.runtime import Runtime, RuntimeDep
from sift.core.db import Database, ReadSessionDep, SessionDep
from sift.core.errors import RateLimited, SiftError

log = structlog.get_logger()

router = APIRouter(prefix="/api/assistant", tags=["assistant"])

_ASK_ERRORS = {
    **RateLimited.openapi(),
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
    body: AskRequest,
    request: Request,
    runtime: RuntimeDep,
    authorization: ForwardedAuthorization,
) -> Any:
    """Answer a question from the caller's documents, with verifiable citations."""
    # Sessions are opened here, around the reads and the final write, so that no database
    # connection is held while a provider answers (which takes seconds).
    database: Database = request.app.state.database
    async with database.read_sessionmaker() as session:
        prepared = await answer_service.prepare(session, runtime, principal, authorization, body)
    if _wants_stream(request, body):
        return EventSourceResponse(_stream(runtime, database, prepared), ping=15)
    outcome: Outcome | None = None
    async for event in answer_service.generate(runtime, prepared):
        if isinstance(event, Outcome):
            outcome = event
    assert outcome is not None  # generate always ends with its outcome or raises
    return await _record(database, runtime, prepared, outcome)


async def _record(
    database: Database, runtime: Runtime, prepared: Prepared, outcome: Outcome
) -> AnswerRead:
    async with database.sessionmaker() as session:
        answer = await answer_service.record(session, runtime, prepared, outcome)
        await session.commit()
    return answer


def _event(name: str, data: Any) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, separators=(",", ":"))}


async def _stream(
    runtime: Runtime, database: Database, prepared: Prepared
) -> AsyncIterator[dict[str, str]]:
    try:
        outcome: Outcome | None = None
        async for event in answer_service.generate(runtime, prepared):
            if isinstance(event, TokenEvent):
                yield _event("token", {"text": event.text})
            elif isinstance(event, RestartEvent):
                # The partial answer is void: the client clears it, the next provider answers.
                yield _event("restart", {"provider": event.provider, "reason": event.reason})
            else:
                outcome = event
        assert outcome is not None
        citations = [c.model_dump(mode="json") for c in outcome.citations]
        yield _event("citations", {"citations": citations, "dropped": outcome.dropped_citations})
        answer = await _record(database, runtime, prepared, outcome)
        yield {"event": "done", "data": answer.model_dump_json()}
    except SiftError as error:
        yield _event("error", _problem(error.status_code, error.title, error.detail, error.code))
    except Exception:  # the stream has started: the client can only be told by an event
        log.exception("assistant.stream.failed", message_id=str(prepared.message_id))
        yield _event("error", _problem(500, "Internal server error", "The answer failed."))


def _problem(status: int, title: str, detail: str, code: str | None = None) -> dict[str, Any]:
    return {
        "type": f"https://sift.dev/problems/{code or status}",
        "title": title,
        "status": status,
        "detail": detail,
    }


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
    return FeedbackRead.model_validate(feedback)


@router.get("/usage", response_model=UsageReport)
async def usage(principal: AssistantAsk, session: ReadSessionDep) -> UsageReport:
    """The caller's AI requests, tokens and cost (and the organization's, for analysts)."""
    return await conversation_service.usage(session, principal)
