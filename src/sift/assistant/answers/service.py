"""Asking: retrieve as the caller, answer through the provider chain, check, record.

`ask` prepares before it returns its stream, so that a refusal (an unknown conversation,
search down) is a plain problem response; the stream then carries the answer's tokens and
restarts, its checked citations and, last, the answer as recorded.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.answers.accounting import is_failover, record_usage, usage_read
from sift.assistant.answers.cache import CachedAnswer, answer_key
from sift.assistant.answers.exceptions import ConversationNotFound
from sift.assistant.answers.generation import (
    RestartEvent,
    TokenEvent,
    citation_reads,
    run_chain,
)
from sift.assistant.answers.schemas import (
    AnswerRead,
    AskRequest,
    CitationRead,
    SkipRead,
)
from sift.assistant.conversations.repository import conversation_repository as repository
from sift.assistant.conversations.scope import is_withheld, readable_cited_documents
from sift.assistant.grounding import citations as grounding
from sift.assistant.grounding import prompt as prompts
from sift.assistant.models import TITLE_LENGTH, Conversation, Message, MessageRole
from sift.assistant.passages import Passage
from sift.assistant.providers.base import GenerationRequest, Task, Turn, Usage
from sift.assistant.providers.chain import ProviderChain, Skip
from sift.assistant.runtime import Runtime
from sift.assistant.settings.service import assistant_settings_service
from sift.contracts.events import AssistantAnswered
from sift.core.auth import Principal
from sift.core.db import Database, ReadSession, new_id
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
    chain: ProviderChain  # the organization's preferred provider first
    started: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class CitationsEvent:
    citations: list[CitationRead]
    dropped: int


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


AnswerEvent = TokenEvent | RestartEvent | CitationsEvent | AnswerRead


class AnswerService:
    async def ask(
        self,
        database: Database,
        runtime: Runtime,
        principal: Principal,
        authorization: str,
        body: AskRequest,
    ) -> AsyncIterator[AnswerEvent]:
        """Prepares the answer, then returns its events; the last one is the recorded answer."""
        # Closed before a provider answers (seconds): no connection is held meanwhile.
        async with database.read_sessionmaker() as session:
            prepared = await self._prepare(session, runtime, principal, authorization, body)
        return self._answer(database, runtime, prepared)

    async def _answer(
        self, database: Database, runtime: Runtime, prepared: Prepared
    ) -> AsyncIterator[AnswerEvent]:
        outcome: Outcome | None = None
        async for event in self._generate(runtime, prepared):
            if isinstance(event, Outcome):
                outcome = event
            else:
                yield event
        assert outcome is not None  # _generate always ends with its outcome or raises
        yield CitationsEvent(outcome.citations, outcome.dropped_citations)
        async with database.sessionmaker() as session:
            answer = await self._record(session, runtime, prepared, outcome)
            # The one commit in a service: a streamed answer outlives its request's unit of work.
            await session.commit()
        log.info(
            "assistant.answered",
            message_id=str(answer.message_id),
            provider=answer.provider,
            cached=answer.cached,
            citations=len(answer.citations),
            grounded=answer.grounded,
            latency_ms=answer.latency_ms,
        )
        yield answer

    async def _prepare(
        self,
        session: ReadSession,
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
        chain = runtime.chain_for(
            await assistant_settings_service.default_provider(session, principal.org_id)
        )
        cache_key = None
        if not history and passages and runtime.cache.enabled:
            cache_key = answer_key(
                org_id=principal.org_id,
                chain=chain.signature,
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
            chain=chain,
        )

    async def _generate(
        self, runtime: Runtime, prepared: Prepared
    ) -> AsyncIterator[TokenEvent | RestartEvent | Outcome]:
        if prepared.cache_key is not None:
            hit = await runtime.cache.get(prepared.cache_key)
            if hit is not None:
                for piece in _PIECE.findall(hit.answer):
                    yield TokenEvent(piece)
                yield Outcome(
                    answer=hit.answer,
                    citations=[
                        CitationRead.model_validate(c, extra="ignore") for c in hit.citations
                    ],
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
        chain = prepared.chain if prepared.passages else runtime.local_chain
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

    async def _record(
        self, session: AsyncSession, runtime: Runtime, prepared: Prepared, outcome: Outcome
    ) -> AnswerRead:
        """The exchange, the usage and the `assistant.answered` event, in one transaction."""
        principal = prepared.principal
        latency_ms = round((time.perf_counter() - prepared.started) * 1000)
        cost = runtime.cost(outcome.provider, outcome.usage)
        if prepared.conversation is None:
            await repository.add_conversation(
                session,
                Conversation(
                    id=prepared.conversation_id,
                    org_id=principal.org_id,
                    user_id=principal.user_id,
                    api_key_id=principal.api_key_id,
                    title=_title(prepared.question),
                ),
            )
        else:
            await repository.touch(session, prepared.conversation_id)
        common = {
            "conversation_id": prepared.conversation_id,
            "org_id": principal.org_id,
            "user_id": principal.user_id,
        }
        document_ids = _document_ids(outcome.citations, prepared.passages)
        await repository.add_messages(
            session,
            Message(
                id=prepared.question_id,
                role=MessageRole.user,
                content=prepared.question,
                **common,
            ),
            Message(
                id=prepared.message_id,
                role=MessageRole.assistant,
                content=outcome.answer,
                retrieval_query=prepared.retrieval_query,
                citations=[c.model_dump(mode="json") for c in outcome.citations],
                document_ids=document_ids,
                provider=outcome.provider,
                model=outcome.model,
                skipped=[SkipRead.from_row(s).model_dump() for s in outcome.skipped],
                grounded=outcome.grounded,
                unsupported_sentences=outcome.unsupported_sentences,
                dropped_citations=outcome.dropped_citations,
                cached=outcome.cached,
                latency_ms=latency_ms,
                prompt_tokens=outcome.usage.prompt_tokens,
                completion_tokens=outcome.usage.completion_tokens,
                cost_usd=cost,
                **common,
            ),
        )
        await record_usage(
            session,
            principal,
            AssistantAnswered(
                message_id=prepared.message_id,
                conversation_id=prepared.conversation_id,
                user_id=principal.user_id,
                document_ids=document_ids,
                provider=outcome.provider,
                model=outcome.model,
                cached=outcome.cached,
                latency_ms=latency_ms,
                prompt_tokens=outcome.usage.prompt_tokens,
                completion_tokens=outcome.usage.completion_tokens,
                cost_usd=float(cost),
                failover=is_failover(outcome.skipped),
            ),
            subject_id=prepared.message_id,
            usage=outcome.usage,
            cost=cost,
            cached=outcome.cached,
        )
        return AnswerRead.from_row(
            outcome,
            conversation_id=prepared.conversation_id,
            message_id=prepared.message_id,
            skipped=[SkipRead.from_row(skip) for skip in outcome.skipped],
            retrieval_query=prepared.retrieval_query,
            latency_ms=latency_ms,
            usage=usage_read(outcome.usage, cost),
        )


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
