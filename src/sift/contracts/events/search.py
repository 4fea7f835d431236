"""Events of the search service beyond indexing (which lives with the document lifecycle)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import Field

from sift.contracts.events.base import EventPayload, event


@event("search.saved_search_matched", version=1)
class SavedSearchMatched(EventPayload):
    """A newly indexed version matches a saved search whose owner asked to be told.

    Carries no query text nor passage: streams outlive an erasure. The owner could read the
    document's collection when the match was made.
    """

    saved_search_id: uuid.UUID
    user_id: uuid.UUID
    document_id: uuid.UUID
    collection_id: uuid.UUID
    version_id: uuid.UUID
    match_count: int = Field(ge=1)


@event("search.saved_search_created", version=1)
class SavedSearchCreated(EventPayload):
    """Someone saved a search (the audit log records it; the query text is theirs, not
    copied here)."""

    saved_search_id: uuid.UUID
    user_id: uuid.UUID
    notify: bool


@event("search.saved_search_deleted", version=1)
class SavedSearchDeleted(EventPayload):
    saved_search_id: uuid.UUID
    user_id: uuid.UUID


class SearchModeName(StrEnum):
    hybrid = "hybrid"
    fulltext = "fulltext"
    semantic = "semantic"


QUERY_TEXT_LENGTH = 200


def normalized_query(query: str) -> str:
    """The query as analytics counts it: case-folded, single-spaced, cut to 200 characters."""
    return " ".join(query.split()).casefold()[:QUERY_TEXT_LENGTH]


@event("search.performed", version=1)
class SearchPerformed(EventPayload):
    """Someone searched (`query_id` is the query log's row, which result clicks name).

    `query` is the normalized text, for the top-queries table of analytics, which shows only
    queries that at least three people asked; the audit log does not copy it.
    """

    query_id: uuid.UUID
    user_id: uuid.UUID
    mode: SearchModeName
    result_count: int = Field(ge=0)
    took_ms: int = Field(ge=0)
    query: str = Field(default="", max_length=QUERY_TEXT_LENGTH)


@event("search.result_clicked", version=1)
class SearchResultClicked(EventPayload):
    """Someone opened a result of a search they made (the web app reports it)."""

    query_id: uuid.UUID
    user_id: uuid.UUID
    document_id: uuid.UUID
    chunk_id: uuid.UUID | None = None
    rank: int = Field(ge=1, le=1000)
