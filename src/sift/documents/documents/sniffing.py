"""The type of an upload, sniffed as it streams past by `sift.core.filetypes` (the rules
search applies too), its refusals as this service's problems (415, 422)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sift.core import filetypes
from sift.core.filetypes import (
    ACCEPTED_TYPES,
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    TEXT,
    SniffedType,
    is_markdown_name,
)
from sift.documents.documents.exceptions import EmptyFile, UnsupportedFileType

__all__ = [
    "ACCEPTED_TYPES",
    "DOCX",
    "HTML",
    "MARKDOWN",
    "PDF",
    "TEXT",
    "SniffedType",
    "Sniffer",
    "is_markdown_name",
]


class Sniffer(filetypes.Sniffer):
    """`filetypes.Sniffer` whose refusals are problems; a `.md` name is the Markdown hint."""

    def __init__(self, *, markdown_name: bool = False) -> None:
        super().__init__(markdown_hint=markdown_name)

    def feed(self, chunk: bytes) -> None:
        with _as_problems():
            super().feed(chunk)

    def finish(self) -> SniffedType:
        with _as_problems():
            return super().finish()


@contextmanager
def _as_problems() -> Iterator[None]:
    try:
        yield
    except filetypes.EmptyContent:
        raise EmptyFile() from None
    except filetypes.UnsupportedContent as refused:
        raise UnsupportedFileType(
            f"Sift cannot index this kind of file ({refused.what}); accepted: PDF, DOCX, HTML, "
            "Markdown and plain text."
        ) from None
