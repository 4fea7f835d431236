"""DOCX text in reading order (paragraphs, headings, tables), guarded against zip bombs."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from sift.search.ingestion.exceptions import corrupt_file, too_large
from sift.search.ingestion.extract.base import (
    Deadline,
    ExtractedText,
    FileType,
    TextBuilder,
    require_text,
)

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def check_archive(data: bytes, *, max_unzipped_bytes: int, max_ratio: int) -> None:
    """Refuse archives that inflate past the limits before anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise corrupt_file("DOCX") from None
    unzipped = sum(info.file_size for info in infos)
    compressed = max(1, sum(info.compress_size for info in infos))
    if unzipped > max_unzipped_bytes:
        raise too_large(f"it unpacks to {unzipped:,} bytes (the limit is {max_unzipped_bytes:,})")
    if unzipped > 10 * 1024 * 1024 and unzipped / compressed > max_ratio:
        raise too_large(f"it unpacks {unzipped / compressed:.0f} times its size (a zip bomb?)")


def extract_docx(
    data: bytes,
    *,
    deadline: Deadline,
    max_chars: int,
    max_unzipped_bytes: int,
    max_ratio: int,
) -> ExtractedText:
    check_archive(data, max_unzipped_bytes=max_unzipped_bytes, max_ratio=max_ratio)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except Exception:  # python-docx and lxml raise many types for damaged parts
        raise corrupt_file("DOCX") from None
    builder = TextBuilder(max_chars=max_chars)
    for index, block in enumerate(blocks):
        if index % 200 == 0:
            deadline.check()
        if isinstance(block, Paragraph):
            level = _heading_level(block)
            if level is not None:
                builder.heading(block.text, level)
            else:
                builder.block(block.text)
        elif isinstance(block, Table):
            _table(builder, block)
    return require_text(builder.build(FileType.docx), "DOCX document")


def _heading_level(paragraph: Paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(name)
    return int(match.group(1)) if match else None


def _table(builder: TextBuilder, table: Table) -> None:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        builder.block(" | ".join(cells))
