"""The pages of a document's extracted text as `GET /api/search/documents/{id}/pages` shows them."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

MAX_PAGES = 20


class TextPageRead(BaseModel):
    page: int = Field(
        description="The file's page number (PDF), or the piece's number for formats"
        " without pages"
    )
    start: int = Field(description="Offset of the page in the document's extracted text")
    end: int
    text: str


class DocumentPages(BaseModel):
    document_id: uuid.UUID
    page_count: int = Field(description="Pages of the file (PDF), or pieces of the text")
    items: list[TextPageRead]
