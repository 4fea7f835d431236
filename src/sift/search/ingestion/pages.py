"""The pages of a version's extracted text, as stored for locating passages and reading.

PDF pages are the file's pages (their offsets come from extraction). Formats without pages
are cut into pieces of about `PIECE_CHARS` characters that end where a paragraph ends, so
that a large document still loads piece by piece.
"""

from __future__ import annotations

from dataclasses import dataclass

from sift.search.ingestion.extract import ExtractedText

PIECE_CHARS = 4000
PARAGRAPH = "\n\n"


@dataclass(frozen=True)
class PageDraft:
    seq: int
    page: int | None
    start: int
    end: int
    text: str


def text_pages(extracted: ExtractedText, *, piece_chars: int = PIECE_CHARS) -> list[PageDraft]:
    text = extracted.text
    if any(span.number is not None for span in extracted.pages):
        spans = [(span.number, span.start, span.end) for span in extracted.pages]
    else:
        spans = [(None, start, end) for start, end in pieces(text, piece_chars)]
    return [
        PageDraft(seq, number, start, end, text[start:end])
        for seq, (number, start, end) in enumerate(spans, start=1)
    ]


def pieces(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of `text` of about `size` characters, each ending
    at a paragraph break (else a line break, else a space; a hard cut as the last resort)."""
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        if len(text) - start <= size:
            spans.append((start, len(text)))
            break
        end = _break_near(text, start, size)
        spans.append((start, end))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    return spans


def _break_near(text: str, start: int, size: int) -> int:
    """The last break in the second half of the piece, else the first within `size` after."""
    for separator in (PARAGRAPH, "\n", " "):
        found = text.rfind(separator, start + size // 2, start + size)
        if found < 0:
            found = text.find(separator, start + size, start + 2 * size)
        if found >= 0:
            return found
    return start + size
