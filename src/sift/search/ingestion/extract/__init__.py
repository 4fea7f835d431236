"""Text extraction: PDF, DOCX, HTML, Markdown and plain text, typed by content."""

from __future__ import annotations

from dataclasses import replace

from sift.search.config import IngestSettings
from sift.search.ingestion.extract.base import (
    Deadline,
    ExtractedText,
    FileType,
    Heading,
    PageSpan,
)
from sift.search.ingestion.extract.docx import extract_docx
from sift.search.ingestion.extract.html import extract_html
from sift.search.ingestion.extract.pdf import extract_pdf
from sift.search.ingestion.extract.sniff import sniff
from sift.search.ingestion.extract.text import decode, extract_markdown, extract_text

__all__ = [
    "Deadline",
    "ExtractedText",
    "FileType",
    "Heading",
    "PageSpan",
    "extract",
    "sniff",
]


def extract(
    data: bytes, *, declared_type: str | None, settings: IngestSettings, deadline: Deadline
) -> ExtractedText:
    """The text of a file whose type is read from its bytes."""
    file_type = sniff(data, declared_type)
    max_chars = settings.max_text_chars
    if file_type is FileType.pdf:
        return extract_pdf(
            data, deadline=deadline, max_pages=settings.max_pages, max_chars=max_chars
        )
    if file_type is FileType.docx:
        return extract_docx(
            data,
            deadline=deadline,
            max_chars=max_chars,
            max_unzipped_bytes=settings.max_unzipped_bytes,
            max_ratio=settings.max_zip_ratio,
        )
    if file_type is FileType.html:
        text, replaced = decode(data)
        extracted = extract_html(text, deadline=deadline, max_chars=max_chars)
        return replace(extracted, replaced_controls=replaced)
    if file_type is FileType.markdown:
        return extract_markdown(data, deadline=deadline, max_chars=max_chars)
    return extract_text(data, deadline=deadline, max_chars=max_chars)
