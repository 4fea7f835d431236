"""What extraction yields: the text, where each page lies in it, and headings."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from enum import StrEnum

from sift.search.ingestion.exceptions import IngestError, no_text, timed_out, too_large

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufeff\u200b]")
_MANY_NEWLINES = re.compile(r"\n{3,}")


class FileType(StrEnum):
    pdf = "pdf"
    docx = "docx"
    html = "html"
    markdown = "markdown"
    text = "text"


@dataclass(frozen=True)
class PageSpan:
    """Page `number` (1-based; None for formats without pages) is text[start:end]."""

    number: int | None
    start: int
    end: int


@dataclass(frozen=True)
class Heading:
    """A heading at text[start:end], of `level` 1 (top) to 6."""

    level: int
    start: int
    end: int
    title: str


@dataclass(frozen=True)
class ExtractedText:
    file_type: FileType
    text: str
    pages: list[PageSpan]
    headings: list[Heading] = field(default_factory=list)
    page_count: int | None = None  # pages in the file, for paged formats
    replaced_controls: int = 0  # stray control characters read as a quote or a space

    def page_at(self, offset: int) -> int | None:
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.number
        return self.pages[-1].number if self.pages else None


class Deadline:
    """A wall-clock budget that long loops check (pages, paragraphs, batches)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self._ends:
            raise timed_out(self.seconds)

    @property
    def remaining(self) -> float:
        return self._ends - time.monotonic()


def normalize(text: str) -> str:
    """One newline style, no control characters, runs of spaces collapsed, lines trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


class TextBuilder:
    """Joins blocks (paragraphs, headings, pages) into one text and records their offsets."""

    def __init__(self, *, max_chars: int) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._max_chars = max_chars
        self.pages: list[PageSpan] = []
        self.headings: list[Heading] = []
        self._page_start: int | None = None
        self._page_number: int | None = None

    @property
    def length(self) -> int:
        return self._length

    def _append(self, text: str) -> tuple[int, int]:
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        if self._length > self._max_chars:
            raise too_large(f"more than {self._max_chars:,} characters of text")
        return start, self._length

    def block(self, text: str, *, normalized: bool = False) -> None:
        """A paragraph (or a page's text); blank blocks are skipped."""
        text = text if normalized else normalize(text)
        if text:
            self._append(text)

    def heading(self, text: str, level: int) -> None:
        title = normalize(text).replace("\n", " ")
        if title:
            start, end = self._append(title)
            self.headings.append(Heading(max(1, min(level, 6)), start, end, title[:500]))

    def start_page(self, number: int | None) -> None:
        self._page_number = number
        self._page_start = self._length + (2 if self._parts else 0)

    def end_page(self) -> None:
        if self._page_start is not None and self._length > self._page_start:
            self.pages.append(PageSpan(self._page_number, self._page_start, self._length))
        self._page_start = None

    def build(self, file_type: FileType, *, page_count: int | None = None) -> ExtractedText:
        text = "".join(self._parts)
        pages = self.pages or ([PageSpan(None, 0, len(text))] if text else [])
        return ExtractedText(file_type, text, pages, self.headings, page_count)


def require_text(extracted: ExtractedText, kind: str) -> ExtractedText:
    if not extracted.text.strip():
        raise no_text(kind)
    return extracted


__all__ = [
    "Deadline",
    "ExtractedText",
    "FileType",
    "Heading",
    "IngestError",
    "PageSpan",
    "TextBuilder",
    "normalize",
    "require_text",
]
