"""Where a hit's passage is: its span in the document's text and the page it is on.

The passage of a hit with highlighted words is the `ts_headline` fragment with the most
matches (the first of equals); its page is the page of its first match, read from the
stored page offsets when the chunk spans pages (and the passage is cut to that page). A
hit without highlighted words (found by meaning alone) is its whole chunk, on the chunk's
first page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sift.search.retrieval import highlight
from sift.search.retrieval.repository.chunks import ChunkRow, PageBreak

FRAGMENT_DELIMITER = " … "  # highlight.headline_options' FragmentDelimiter


@dataclass(frozen=True)
class Location:
    page: int | None
    start: int  # offsets in the document's extracted text
    end: int


def page_break_at(pages: Sequence[PageBreak], offset: int) -> PageBreak | None:
    """The page holding `offset` (a gap between pages belongs to the page after it)."""
    for page in pages:
        if offset < page.end:
            return page
    return pages[-1] if pages else None


def page_at(pages: Sequence[PageBreak], offset: int, default: int | None) -> int | None:
    found = page_break_at(pages, offset)
    return found.page if found else default


def find_span(haystack: str, needle: str) -> tuple[int, int] | None:
    """Where `needle` occurs in `haystack`, exactly or up to whitespace differences."""
    index = haystack.find(needle)
    if index >= 0:
        return index, index + len(needle)
    pieces = needle.split()
    if not pieces:
        return None
    match = re.search(r"\s+".join(re.escape(piece) for piece in pieces), haystack)
    return (match.start(), match.end()) if match else None


def locate(row: ChunkRow) -> Location:
    whole = Location(row.page, row.start_char, row.end_char)
    if row.headline is None or highlight.START not in row.headline:
        return whole
    fragments = row.headline.split(FRAGMENT_DELIMITER)
    best = max(fragments, key=lambda fragment: fragment.count(highlight.START))
    plain = best.replace(highlight.START, "").replace(highlight.STOP, "")
    span = find_span(row.text, plain)
    if span is None:  # the headline changed the text's spacing beyond what we undo
        return whole
    start, end = row.start_char + span[0], row.start_char + span[1]
    first_match = min(start + best.index(highlight.START), end - 1)
    page = page_break_at(row.pages, first_match)
    if page is None:
        return Location(row.page, start, end)
    # A fragment that runs over a page break is cut to the page of its first match.
    return Location(page.page, max(start, page.start), min(end, page.end))
