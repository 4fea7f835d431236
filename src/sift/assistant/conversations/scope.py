"""A stored conversation as the caller may see it today.

Access changes after an answer: a grant is revoked, a document moves to a restricted
collection or is deleted, an API key reads less than the session that preceded it. So a
stored answer is judged again each time it is shown or sent back to a model as history,
with the search service (which owns access) asked as the caller. An answer that cites a
document the caller may no longer read is withheld whole, text and unsupported sentences
included: its sentences paraphrase the quote, and telling which ones do is guesswork.
Its citations keep only their numbers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sift.assistant.answers.schemas import CitationRead
from sift.assistant.conversations.schemas import UnavailableCitation
from sift.assistant.retrieval import SearchClient


def cited_documents(citations: Iterable[dict[str, Any]]) -> set[uuid.UUID]:
    return {uuid.UUID(str(citation["document_id"])) for citation in citations}


async def readable_cited_documents(
    search: SearchClient, authorization: str, citation_lists: Sequence[list[dict[str, Any]]]
) -> set[uuid.UUID]:
    """Of the documents these citations quote, those the caller may read now."""
    cited = set().union(*(cited_documents(citations) for citations in citation_lists))
    if not cited:
        return set()  # nothing quoted, nothing to ask
    return await search.readable_documents(authorization, cited)


def is_withheld(citations: Iterable[dict[str, Any]], readable: set[uuid.UUID]) -> bool:
    return not cited_documents(citations) <= readable


def visible_citations(
    citations: Iterable[dict[str, Any]], readable: set[uuid.UUID]
) -> list[CitationRead | UnavailableCitation]:
    visible: list[CitationRead | UnavailableCitation] = []
    for citation in citations:
        if uuid.UUID(str(citation["document_id"])) in readable:
            visible.append(CitationRead.model_validate(citation, extra="ignore"))
        else:
            visible.append(UnavailableCitation(n=citation["n"]))
    return visible
