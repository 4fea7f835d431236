"""Summaries of one document: one prompt when it fits, else map-reduce over its chunks.

Map: the passages are grouped into sections of at most `summary_chunk_chars` characters,
numbered globally, and each section is summarized with [n] citations (concurrently).
Reduce: the section summaries, their marks kept, are combined into one. The citations of
the result are checked against every passage, exactly like an answer's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.answers.accounting import is_failover, record_usage, usage_read
from sift.assistant.answers.generation import citation_reads, run_chain
from sift.assistant.answers.schemas import SummaryRead
from sift.assistant.grounding import citations as grounding
from sift.assistant.grounding import prompt as prompts
from sift.assistant.passages import Passage
from sift.assistant.providers.base import GenerationRequest, Task, Usage
from sift.assistant.providers.chain import Finished, ProviderChain
from sift.assistant.runtime import Runtime
from sift.assistant.settings.service import assistant_settings_service
from sift.contracts.events import AssistantAnswered
from sift.core.auth import Principal

MAX_SECTIONS = 12  # beyond this, sections are sampled evenly across the document


def sections(passages: Sequence[Passage], max_chars: int) -> list[list[Passage]]:
    groups: list[list[Passage]] = [[]]
    size = 0
    for passage in passages:
        if groups[-1] and size + len(passage.text) > max_chars:
            groups.append([])
            size = 0
        groups[-1].append(passage)
        size += len(passage.text)
    if len(groups) > MAX_SECTIONS:
        step = len(groups) / MAX_SECTIONS
        groups = [groups[int(i * step)] for i in range(MAX_SECTIONS)]
    return groups


async def _complete(chain: ProviderChain, request: GenerationRequest) -> tuple[str, Finished]:
    result: tuple[str, Finished] | None = None
    async for event in run_chain(chain, request):
        if isinstance(event, tuple):
            result = event
    assert result is not None  # run_chain ends with its result or raises
    return result


class SummaryService:
    async def summarize(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        authorization: str,
        document_id: uuid.UUID,
    ) -> SummaryRead:
        started = time.perf_counter()
        document = await runtime.search.document(authorization, document_id)
        passages = document.passages
        groups = sections(passages, runtime.config.summary_chunk_chars)
        # The organization's preferred provider first, like answers.
        chain = runtime.chain_for(
            await assistant_settings_service.default_provider(session, principal.org_id)
        )
        usage = Usage()
        if len(groups) == 1:
            text, finished = await _complete(chain, self._request(passages))
            usage = finished.usage
        else:
            numbered: list[Passage] = [p for group in groups for p in group]
            offsets = [0]
            for group in groups[:-1]:
                offsets.append(offsets[-1] + len(group))
            mapped = await asyncio.gather(
                *(
                    _complete(chain, self._request(group, first_number=offset + 1))
                    for group, offset in zip(groups, offsets, strict=True)
                )
            )
            partials = [text for text, _ in mapped]
            for _, finished in mapped:
                usage = usage + finished.usage
            reduce = self._request(numbered, prompt=prompts.reduce_prompt(partials))
            text, finished = await _complete(chain, reduce)
            usage = usage + finished.usage
            passages = numbered
        checked = grounding.check(text, passages)
        cost = runtime.cost(finished.provider, usage)
        await record_usage(
            session,
            principal,
            AssistantAnswered(
                user_id=principal.user_id,
                document_ids=[document_id],
                provider=finished.provider,
                model=finished.model,
                kind="summary",
                latency_ms=round((time.perf_counter() - started) * 1000),
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cost_usd=float(cost),
                failover=is_failover(finished.skipped),
            ),
            subject_id=document_id,
            usage=usage,
            cost=cost,
            cached=False,
        )
        return SummaryRead(
            document_id=document_id,
            document_title=document.document_title,
            summary=checked.answer,
            citations=citation_reads(checked),
            provider=finished.provider,
            model=finished.model,
            grounded=checked.grounded,
            unsupported_sentences=checked.unsupported_sentences,
            sections=len(groups),
            latency_ms=round((time.perf_counter() - started) * 1000),
            usage=usage_read(usage, cost),
        )

    @staticmethod
    def _request(
        passages: Sequence[Passage], *, first_number: int = 1, prompt: str | None = None
    ) -> GenerationRequest:
        return GenerationRequest(
            task=Task.summarize,
            question="",
            passages=passages,
            first_number=first_number,
            system=prompts.SUMMARY_SYSTEM,
            prompt=prompt or prompts.summary_prompt(passages, first_number=first_number),
        )


summary_service = SummaryService()
