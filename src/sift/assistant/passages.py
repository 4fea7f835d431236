"""Passages as the search service's internal retrieval API returns them."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field


class PageSpan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    page: int
    start: int
    end: int


class Passage(BaseModel):
    """One chunk of a document the caller may read; offsets index the document's text."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    chunk_id: uuid.UUID
    document_id: uuid.UUID
    document_title: str = ""
    collection_id: uuid.UUID | None = None
    version_id: uuid.UUID | None = None
    page: int | None = None
    page_end: int | None = None
    start_char: int = Field(default=0, ge=0)
    end_char: int = Field(default=0, ge=0)
    # Where each page lies in the document's text, for a chunk that spans pages.
    pages: tuple[PageSpan, ...] = ()
    text: str
    score: float = 0.0

    def page_at(self, offset: int) -> int | None:
        """The page of a document offset within the passage (a gap goes to the next page)."""
        for page in self.pages:
            if offset < page.end:
                return page.page
        return self.pages[-1].page if self.pages else self.page


class RetrievedPassages(BaseModel):
    model_config = ConfigDict(extra="ignore")

    passages: list[Passage]


class DocumentPassages(BaseModel):
    model_config = ConfigDict(extra="ignore")

    document_id: uuid.UUID
    document_title: str = ""
    passages: list[Passage]


class ReadableDocuments(BaseModel):
    """Of the documents asked about, those the caller may read now."""

    model_config = ConfigDict(extra="ignore")

    document_ids: list[uuid.UUID]
