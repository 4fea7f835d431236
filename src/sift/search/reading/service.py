"""A readable document's text page by page: the pages stored at indexing, or, for a version
indexed before they were stored, pages derived from its chunks.

Derived pages hold each chunk's text at its own offsets (the offsets of spans stay right);
what lay between two chunks (whitespace, as a rule) is read as spaces, and a PDF page is
taken to begin where its first chunk begins. Re-indexing the version stores exact pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sift.core.auth import Principal
from sift.core.db import ReadSession
from sift.search.ingestion.pages import PIECE_CHARS, PageDraft, pieces
from sift.search.reading.repository import ChunkPlace, reading_repository
from sift.search.reading.schemas import DocumentPages, TextPageRead
from sift.search.retrieval.exceptions import DocumentNotFound
from sift.search.retrieval.service import retrieval_service


class ReadingService:
    async def pages(
        self,
        session: ReadSession,
        principal: Principal,
        document_id: uuid.UUID,
        *,
        first: int,
        limit: int,
    ) -> DocumentPages:
        scope = await retrieval_service.scope(session, principal)
        version = await reading_repository.readable_version(session, scope, document_id)
        if version is None:
            raise DocumentNotFound()
        stored = await reading_repository.page_count(session, version.version_id)
        if stored:
            pages = await reading_repository.pages(
                session, version.version_id, first=first, limit=limit
            )
            drafts = [PageDraft(p.seq, p.page, p.start_char, p.end_char, p.text) for p in pages]
        else:
            derived = derive_pages(await reading_repository.chunks(session, version.version_id))
            stored = len(derived)
            drafts = [page for page in derived if (page.page or page.seq) >= first][:limit]
        return DocumentPages(
            document_id=document_id,
            page_count=version.page_count or stored,
            items=[
                TextPageRead(page=d.page or d.seq, start=d.start, end=d.end, text=d.text)
                for d in drafts
            ],
        )


def derive_pages(
    chunks: Sequence[ChunkPlace], *, piece_chars: int = PIECE_CHARS
) -> list[PageDraft]:
    """The pages of a version without stored pages, from its chunks (see the module's note)."""
    if not chunks:
        return []
    length = max(chunk.start + len(chunk.text) for chunk in chunks)
    characters = [" "] * length
    for chunk in chunks:
        characters[chunk.start : chunk.start + len(chunk.text)] = chunk.text
    text = "".join(characters)
    starts: dict[int, int] = {}
    for chunk in chunks:
        if chunk.page is not None:
            starts[chunk.page] = min(starts.get(chunk.page, chunk.start), chunk.start)
    spans: list[tuple[int | None, int, int]]
    if not starts:
        spans = [(None, start, end) for start, end in pieces(text, piece_chars)]
    else:
        ordered = sorted(starts.items())
        ordered[0] = (ordered[0][0], 0)
        ends = [start for _, start in ordered[1:]] + [length]
        spans = [(page, start, end) for (page, start), end in zip(ordered, ends, strict=True)]
    return [
        PageDraft(seq, page, start, end, text[start:end])
        for seq, (page, start, end) in enumerate(spans, start=1)
    ]


reading_service = ReadingService()
