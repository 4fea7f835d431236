"""Events of the search service beyond indexing (which lives with the document lifecycle)."""

from __future__ import annotations

import uuid

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
