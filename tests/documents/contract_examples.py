"""One example of each event the documents service added, for tests/contracts."""

from __future__ import annotations

import uuid

from sift.contracts.events import EventPayload
from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionDeleted,
    CollectionMemberGranted,
    CollectionMemberRevoked,
    CollectionUpdated,
    CollectionVisibilityChanged,
    DocumentDownloaded,
    DocumentUpdated,
)

ID = uuid.UUID("01900000-0000-7000-8000-000000000002")
USER = uuid.UUID("01900000-0000-7000-8000-000000000003")

DOCUMENTS_EXAMPLES: list[EventPayload] = [
    CollectionCreated(collection_id=ID, visibility="restricted", created_by=USER),
    CollectionUpdated(collection_id=ID, fields=["name"]),
    CollectionVisibilityChanged(
        collection_id=ID, old_visibility="org", new_visibility="restricted", members=[USER]
    ),
    CollectionDeleted(collection_id=ID),
    CollectionMemberGranted(collection_id=ID, user_id=USER, role="editor", previous_role="viewer"),
    CollectionMemberRevoked(collection_id=ID, user_id=USER, previous_role="editor"),
    DocumentUpdated(document_id=ID, collection_id=ID, title="Q3 report", tags=["finance"]),
    DocumentDownloaded(document_id=ID, version_id=ID, collection_id=ID, size_bytes=2048),
]
