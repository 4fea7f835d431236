"""One example of each event the search service added, for tests/contracts."""

from __future__ import annotations

import uuid

from sift.contracts.events import EventPayload
from sift.contracts.events.search import (
    SavedSearchCreated,
    SavedSearchDeleted,
    SavedSearchMatched,
    SearchModeName,
    SearchPerformed,
    SearchResultClicked,
)

ID = uuid.UUID("01900000-0000-7000-8000-000000000004")

SEARCH_EXAMPLES: list[EventPayload] = [
    SavedSearchMatched(
        saved_search_id=ID,
        user_id=ID,
        document_id=ID,
        collection_id=ID,
        version_id=ID,
        match_count=3,
    ),
    SavedSearchCreated(saved_search_id=ID, user_id=ID, notify=True),
    SavedSearchDeleted(saved_search_id=ID, user_id=ID),
    SearchPerformed(
        query_id=ID,
        user_id=ID,
        mode=SearchModeName.hybrid,
        result_count=0,
        took_ms=12,
        query="holiday policy",
    ),
    SearchResultClicked(query_id=ID, user_id=ID, document_id=ID, chunk_id=ID, rank=2),
]
