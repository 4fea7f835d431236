"""Plain text and Markdown: the encoding detected, Markdown rendered to blocks and headings."""

from __future__ import annotations

import re
from dataclasses import replace

import structlog
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

log = structlog.get_logger()

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


# The control characters text may carry (the sniffer lets a few through): legacy
# typesetting left 0x19 where a right single quote was ("the author\x19s method"); any other
# is a separator at best. Tab, newlines, form feed and escape are left to `normalize`.
_STRAY_CONTROLS = re.compile("[\x01-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_RIGHT_QUOTE = "\u2019"


def replace_stray_controls(text: str) -> tuple[str, int]:
    """The text with 0x19 read as a right quote and other controls as spaces; how many."""
    return _STRAY_CONTROLS.subn(lambda m: _RIGHT_QUOTE if m[0] == "\x19" else " ", text)


def decode(data: bytes) -> tuple[str, int]:
    """UTF-8 when it is (the common case, and fast), else charset-normalizer's best guess;
    stray control characters replaced (and how many)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data[: 4 * 1024 * 1024]).best()
        if best is None or best.encoding is None:
            raise corrupt_file("text") from None
        text = data.decode(best.encoding, errors="replace")
    text, replaced = replace_stray_controls(text)
    if replaced:
        log.info("ingest.controls_replaced", count=replaced)
    return text, replaced


def extract_text(data: bytes, *, deadline: Deadline, max_chars: int) -> ExtractedText:
    text, replaced = decode(data)
    builder = TextBuilder(max_chars=max_chars)
    for index, paragraph in enumerate(text.replace("\r\n", "\n").split("\n\n")):
        if index % 1000 == 0:
            deadline.check()
        builder.block(paragraph)
    extracted = require_text(builder.build(FileType.text), "text file")
    return replace(extracted, replaced_controls=replaced)


def extract_markdown(data: bytes, *, deadline: Deadline, max_chars: int) -> ExtractedText:
    # Raw HTML inside Markdown is not rendered ("html": False): it stays visible as text.
    text, replaced = decode(data)
    html = _markdown.render(text)
    extracted = extract_html(
        html, deadline=deadline, max_chars=max_chars, file_type=FileType.markdown
    )
    return replace(extracted, replaced_controls=replaced)
