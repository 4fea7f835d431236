"""Plain text and Markdown: the encoding detected, Markdown rendered to blocks and headings."""

from __future__ import annotations

from charset_normalizer import from_bytes
from markdown_it import MarkdownIt

from sift.search.ingestion.exceptions import corrupt_file
from sift.search.ingestion.extract.base import (
    Deadline,
    ExtractedText,
    FileType,
    TextBuilder,
    require_text,
)
from sift.search.ingestion.extract.html import extract_html

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def decode(data: bytes) -> str:
    """UTF-8 when it is (the common case, and fast), else charset-normalizer's best guess."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    if best is None or best.encoding is None:
        raise corrupt_file("text")
    return data.decode(best.encoding, errors="replace")


def extract_text(data: bytes, *, deadline: Deadline, max_chars: int) -> ExtractedText:
    text = decode(data)
    builder = TextBuilder(max_chars=max_chars)
    for index, paragraph in enumerate(text.replace("\r\n", "\n").split("\n\n")):
        if index % 1000 == 0:
            deadline.check()
        builder.block(paragraph)
    return require_text(builder.build(FileType.text), "text file")


def extract_markdown(data: bytes, *, deadline: Deadline, max_chars: int) -> ExtractedText:
    # Raw HTML inside Markdown is not rendered ("html": False): it stays visible as text.
    html = _markdown.render(decode(data))
    return extract_html(html, deadline=deadline, max_chars=max_chars, file_type=FileType.markdown)
