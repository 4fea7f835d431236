"""Bodies of the internal access check the assistant calls as the end user."""

from __future__ import annotations

import uuid

from pydantic import Field

from sift.core.schemas import Schema

MAX_DOCUMENTS = 1000


class ReadableDocumentsRequest(Schema):
    document_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_DOCUMENTS)


class ReadableDocuments(Schema):
    # The documents asked about that the caller may read now; the others are left out, so
    # an unknown, deleted, foreign and unreadable document cannot be told apart.
    document_ids: list[uuid.UUID]
