"""Request and response bodies of saved searches."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    StringConstraints,
    model_validator,
)

from sift.core.schemas import Schema
from sift.core.text import DisplayName

MAX_QUERY_LENGTH = 1000
MAX_NAME_LENGTH = 200


def _printable(value: str) -> str:
    # Control characters have no place in a query (NUL is refused for any text already).
    if any(ord(char) < 32 and char not in "\t\n\r" for char in value):
        raise ValueError("must not contain control characters")
    return value


Query = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUERY_LENGTH),
    AfterValidator(_printable),
]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
    AfterValidator(_printable),
]
MimeType = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=255,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$",
    ),
    AfterValidator(str.lower),
]
SearchMode = Literal["hybrid", "fulltext", "semantic"]


class SavedSearchFilters(Schema):
    """The filters of `POST /api/search`, as a saved search keeps them."""

    mode: SearchMode = "hybrid"
    collection_ids: list[uuid.UUID] | None = Field(default=None, max_length=100)
    tags: list[Tag] | None = Field(default=None, max_length=20)
    mime_types: list[MimeType] | None = Field(default=None, max_length=20)
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered_dates(self) -> SavedSearchFilters:
        if (
            self.created_after is not None
            and self.created_before is not None
            and self.created_after > self.created_before
        ):
            raise ValueError("created_after must not be later than created_before")
        return self


class SavedSearchCreate(Schema):
    name: DisplayName = Field(max_length=MAX_NAME_LENGTH)
    query: Query
    filters: SavedSearchFilters = Field(default_factory=SavedSearchFilters)
    notify: bool = False


class SavedSearchRead(Schema):
    id: uuid.UUID
    name: str
    query: str
    filters: SavedSearchFilters
    notify: bool
    created_at: datetime
    updated_at: datetime


class SavedSearchPage(Schema):
    items: list[SavedSearchRead]
    next_cursor: str | None = None
