"""What answers and summaries share: the provider chain's events, the answer's text when
it is complete, and its checked citations as the API shows them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import structlog

from sift.assistant.answers.exceptions import NoProviderAnswered
from sift.assistant.answers.schemas import CitationRead, Span
from sift.assistant.grounding import citations as grounding
from sift.assistant.providers.base import GenerationRequest
from sift.assistant.providers.chain import (
    AllProvidersFailed,
    Finished,
    ProviderChain,
    Restart,
    Token,
)

log = structlog.get_logger()


@dataclass(frozen=True)
class TokenEvent:
    text: str


@dataclass(frozen=True)
class RestartEvent:
    provider: str
    reason: str


def citation_reads(checked: grounding.CheckedAnswer) -> list[CitationRead]:
    return [
        CitationRead(
            n=c.n,
            document_id=c.passage.document_id,
            document_title=c.passage.document_title,
            chunk_id=c.passage.chunk_id,
            collection_id=c.passage.collection_id,
            version_id=c.passage.version_id,
            page=c.passage.page_at(c.document_start),
            page_end=c.passage.page_end,
            start_char=c.document_start,
            end_char=c.document_end,
            span=Span(start=c.document_start, end=c.document_end),
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
