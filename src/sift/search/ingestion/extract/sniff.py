"""The file type from the bytes themselves, by the rules the documents service applied at
upload (`sift.core.filetypes`), its refusals as ingestion failures."""

from __future__ import annotations

import io
import zipfile

from sift.core.filetypes import (
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    EmptyContent,
    UnsupportedContent,
)
from sift.core.filetypes import sniff as sniff_bytes
from sift.search.ingestion.exceptions import corrupt_file, unsupported_type
from sift.search.ingestion.extract.base import FileType

MARKDOWN_TYPES = frozenset({MARKDOWN, "text/x-markdown"})
_FILE_TYPES = {PDF: FileType.pdf, DOCX: FileType.docx, HTML: FileType.html}


def sniff(data: bytes, declared_type: str | None = None) -> FileType:
    """`declared_type` (what the documents service sniffed) is only the Markdown hint."""
    declared = (declared_type or "").split(";")[0].strip().lower()
    try:
        sniffed = sniff_bytes(data, markdown_hint=declared in MARKDOWN_TYPES)
    except EmptyContent:
        return FileType.text  # extraction reports that there is no text
    except UnsupportedContent as refused:
        if refused.what == "ZIP archive" and not zipfile.is_zipfile(io.BytesIO(data)):
            raise corrupt_file("ZIP") from None
        raise unsupported_type(refused.what) from None
    if sniffed.mime_type == MARKDOWN:
        return FileType.markdown
    return _FILE_TYPES.get(sniffed.mime_type, FileType.text)
