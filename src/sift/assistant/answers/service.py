"""Asking: retrieve as the caller, answer through the provider chain, check, record.

`prepare` runs before any byte of the answer is sent (so its errors are plain 4xx/5xx
problems); `generate` streams the answer's events; `record` stores the exchange, the
usage and the `assistant.answered` event in the caller's transaction.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.answers.cache import CachedAnswer, answer_key
from sift.assistant.answers.exceptions import ConversationNotFound, NoProviderAnswered
from sift.assistant.answers.schemas import (
    AnswerRead,
    AskRequest,
    CitationRead,
    SkipRead,
    UsageRead,
)
from sift.assistant.conversations.repository import conversation_repository as repository
from sift.assistant.conversations.scope import is_withheld, readable_cited_documents
from sift.assistant.events import events
from sift.assistant.grounding import citations as grounding
from sift.assistant.grounding import prompt as prompts
from sift.assistant.models import TITLE_LENGTH, Conversation, Message, MessageRole
from sift.assistant.passages import Passage
from sift.assistant.providers.base import GenerationRequest, Task, Turn, Usage
from sift.assistant.providers.chain import (
    AllProvidersFailed,
    Finished,
    ProviderChain,
    Restart,
    Skip,
    Token,
)
from sift.assistant.runtime import Runtime
from sift.contracts.events import AssistantAnswered
from sift.core.auth import Principal
from sift.core.db import new_id
from sift.core.text import display_name

log = structlog.get_logger()
_PIECE = re.compile(r"\S+\s*")


@dataclass
class Prepared:
    principal: Principal
    question: str
    collection_ids: list[uuid.UUID] | None
    conversation: Conversation | None
    conversation_id: uuid.UUID
    question_id: uuid.UUID  # made before the answer's ID: time-ordered IDs sort the pair
    message_id: uuid.UUID
    history: list[Turn]
    retrieval_query: str
    passages: list[Passage]
    cache_key: str | None
    started: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class TokenEvent:
    text: str


@dataclass(frozen=True)
class RestartEvent:
    provider: str
    reason: str


@dataclass
class Outcome:
    answer: str
    citations: list[CitationRead]
    provider: str
    model: str
    grounded: bool
    unsupported_sentences: list[str]
    dropped_citations: int
    skipped: list[Skip]
    usage: Usage
    cached: bool = False


AnswerEvent = TokenEvent | RestartEvent | Outcome


def citation_reads(checked: grounding.CheckedAnswer) -> list[CitationRead]:
    return [
        CitationRead(
            n=c.n,
            document_id=c.passage.document_id,
            document_title=c.passage.document_title,
            chunk_id=c.passage.chunk_id,
            collection_id=c.passage.collection_id,
            version_id=c.passage.version_id,
            page=c.passage.page,
            page_end=c.passage.page_end,
            start_char=c.document_start,
            end_char=c.document_end,
            quote=c.quote,
        )
        for c in checked.citations
    ]


async def run_chain(
    chain: ProviderChain, request: GenerationRequest
) -> AsyncIterator[TokenEvent | RestartEvent | tuple[str, Finished]]:
    """The chain's events; the last item is (full text, Finished)."""
    parts: list[str] = []
    try:
        async for event in chain.run(request):
            if isinstance(event, Token):
                parts.append(event.text)
                yield TokenEvent(event.text)
            elif isinstance(event, Restart):
                parts.clear()  # the next provider answers from scratch
                yield RestartEvent(event.provider, event.reason)
            else:
                yield "".join(parts).strip(), event
    except AllProvidersFailed as failed:
        log.error("assistant.no_provider", skipped=[s.reason for s in failed.skipped])
        raise NoProviderAnswered() from failed


class AnswerService:
    async def prepare(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        authorization: str,
        body: AskRequest,
    ) -> Prepared:
        conversation = None
        history: list[Turn] = []
        if body.conversation_id is not None:
            conversation = await repository.get_owned(session, principal, body.conversation_id)
            if conversation is None:
                raise ConversationNotFound()
            exchanges = await repository.last_turns(
                session, conversation.id, runtime.config.history_turns
            )
            # The model must not hear again what the caller may no longer read.
            readable = await readable_cited_documents(
                runtime.search, authorization, [citations for _, citations in exchanges]
            )
            history = [turn for turn, cited in exchanges if not is_withheld(cited, readable)]
        query = prompts.standalone_query(body.question, history)
        passages = await runtime.search.retrieve(
            authorization, query, collection_ids=body.collection_ids, limit=runtime.config.passages
        )
        cache_key = None
        if not history and passages and runtime.cache.enabled:
            cache_key = answer_key(
                org_id=principal.org_id,
                chain=runtime.chain.signature,
                question=body.question,
                collection_ids=body.collection_ids,
                passages=passages,
            )
        return Prepared(
            principal=principal,
            question=body.question,
            collection_ids=body.collection_ids,
            conversation=conversation,
            conversation_id=conversation.id if conversation else new_id(),
            question_id=new_id(),
            message_id=new_id(),
            history=history,
            retrieval_query=query,
            passages=passages,
            cache_key=cache_key,
        )

    async def generate(self, runtime: Runtime, prepared: Prepared) -> AsyncIterator[AnswerEvent]:
        if prepared.cache_key is not None:
            hit = await runtime.cache.get(prepared.cache_key)
            if hit is not None:
                for piece in _PIECE.findall(hit.answer):
                    yield TokenEvent(piece)
                yield Outcome(
                    answer=hit.answer,
                    citations=[CitationRead.model_validate(c) for c in hit.citations],
                    provider=hit.provider,
                    model=hit.model,
                    grounded=hit.grounded,
                    unsupported_sentences=hit.unsupported_sentences,
                    dropped_citations=hit.dropped_citations,
                    skipped=[],
                    usage=Usage(),
                    cached=True,
                )
                return
        request = GenerationRequest(
            task=Task.answer,
            question=prepared.question,
            passages=prepared.passages,
            system=prompts.ANSWER_SYSTEM,
            prompt=prompts.answer_prompt(prepared.question, prepared.passages, prepared.history),
            history=prepared.history,
            max_output_tokens=runtime.config.max_output_tokens,
        )
        chain = runtime.chain if prepared.passages else runtime.local_chain
        async for event in run_chain(chain, request):
            if not isinstance(event, tuple):
                yield event
                continue
            text, finished = event
            checked = grounding.check(text, prepared.passages)
            outcome = Outcome(
                answer=checked.answer,
                citations=citation_reads(checked),
                provider=finished.provider,
                model=finished.model,
                grounded=checked.grounded,
                unsupported_sentences=checked.unsupported_sentences,
                dropped_citations=checked.dropped,
                skipped=finished.skipped,
                usage=finished.usage,
            )
            if prepared.cache_key is not None and outcome.citations:
                await runtime.cache.put(prepared.cache_key, _cached(outcome))
            yield outcome

    async def record(
        self, session: AsyncSession, runtime: Runtime, prepared: Prepared, outcome: Outcome
    ) -> AnswerRead:
        principal = prepared.principal
        latency_ms = round((time.perf_counter() - prepared.started) * 1000)
        cost = runtime.cost(outcome.provider, outcome.usage)
        if prepared.conversation is None:
            session.add(
                Conversation(
                    id=prepared.conversation_id,
                    org_id=principal.org_id,
                    user_id=principal.user_id,
                    api_key_id=principal.api_key_id,
                    title=_title(prepared.question),
                )
            )
        else:  # loaded by another session: bump it by statement
            await session.execute(
                update(Conversation)
                .where(Conversation.id == prepared.conversation_id)
                .values(updated_at=func.now())
            )
        common = {
            "conversation_id": prepared.conversation_id,
            "org_id": principal.org_id,
            "user_id": principal.user_id,
        }
        await session.flush()  # the conversation row first: messages reference it
        session.add(
            Message(
                id=prepared.question_id,
                role=MessageRole.user,
                content=prepared.question,
                **common,
            )
        )
        document_ids = _document_ids(outcome.citations, prepared.passages)
        session.add(
            Message(
                id=prepared.message_id,
                role=MessageRole.assistant,
                content=outcome.answer,
                retrieval_query=prepared.retrieval_query,
                citations=[c.model_dump(mode="json") for c in outcome.citations],
                document_ids=document_ids,
                provider=outcome.provider,
                model=outcome.model,
                skipped=[_skip(s).model_dump() for s in outcome.skipped],
                grounded=outcome.grounded,
                unsupported_sentences=outcome.unsupported_sentences,
                dropped_citations=outcome.dropped_citations,
                cached=outcome.cached,
                latency_ms=latency_ms,
                prompt_tokens=outcome.usage.prompt_tokens,
                completion_tokens=outcome.usage.completion_tokens,
                cost_usd=cost,
                **common,
            )
        )
        await repository.add_usage(
            session,
            org_id=principal.org_id,
            user_id=principal.user_id,
            day=datetime.now(UTC).date(),
            prompt_tokens=outcome.usage.prompt_tokens,
            completion_tokens=outcome.usage.completion_tokens,
            cost_usd=cost,
            cached=outcome.cached,
        )
        await events.publish(
            session,
            AssistantAnswered(
                message_id=prepared.message_id,
                conversation_id=prepared.conversation_id,
                user_id=principal.user_id,
                document_ids=document_ids,
                provider=outcome.provider,
                model=outcome.model,
                cached=outcome.cached,
            ),
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=prepared.message_id,
        )
        await session.flush()
        log.info(
            "assistant.answered",
            message_id=str(prepared.message_id),
            provider=outcome.provider,
            cached=outcome.cached,
            citations=len(outcome.citations),
            grounded=outcome.grounded,
            latency_ms=latency_ms,
        )
        return AnswerRead(
            conversation_id=prepared.conversation_id,
            message_id=prepared.message_id,
            answer=outcome.answer,
            citations=outcome.citations,
            provider=outcome.provider,
            model=outcome.model,
            grounded=outcome.grounded,
            unsupported_sentences=outcome.unsupported_sentences,
            dropped_citations=outcome.dropped_citations,
            skipped=[_skip(s) for s in outcome.skipped],
            retrieval_query=prepared.retrieval_query,
            cached=outcome.cached,
            latency_ms=latency_ms,
            usage=usage_read(outcome.usage, cost),
        )


def usage_read(usage: Usage, cost: object) -> UsageRead:
    return UsageRead(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
        cost_usd=float(str(cost)),
    )


def _skip(skip: Skip) -> SkipRead:
    return SkipRead(provider=skip.provider, reason=skip.reason, attempts=skip.attempts)


def _title(question: str) -> str:
    title = display_name(question)
    limit = min(80, TITLE_LENGTH)
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _document_ids(
    citations: Sequence[CitationRead], passages: Sequence[Passage]
) -> list[uuid.UUID]:
    """The documents whose passages were used: the cited ones first, then every other one
    whose passages went to the provider (the data-access trail counts what was read)."""
    used = [c.document_id for c in citations] + [p.document_id for p in passages]
    return list(dict.fromkeys(used))[:100]


def _cached(outcome: Outcome) -> CachedAnswer:
    return CachedAnswer(
        answer=outcome.answer,
        provider=outcome.provider,
        model=outcome.model,
        citations=[c.model_dump(mode="json") for c in outcome.citations],
        grounded=outcome.grounded,
        unsupported_sentences=outcome.unsupported_sentences,
        dropped_citations=outcome.dropped_citations,
    )


answer_service = AnswerService()
