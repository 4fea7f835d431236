"""PDF text page by page (pypdf), with each page's offsets in the joined text."""

from __future__ import annotations

import io
import logging

import structlog
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PdfStreamError

from sift.contracts.events.documents import IndexFailureCode
from sift.search.ingestion.exceptions import IngestError, corrupt_file, too_large
from sift.search.ingestion.extract.base import (
    Deadline,
    ExtractedText,
    FileType,
    TextBuilder,
    require_text,
)

log = structlog.get_logger()
# pypdf reports every oddity of real-world files as a warning; they are not ours to fix.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def encrypted() -> IngestError:
    return IngestError(
        IndexFailureCode.encrypted_pdf,
        "The PDF is password-protected; upload a copy without a password to index it.",
    )


def extract_pdf(
    data: bytes, *, deadline: Deadline, max_pages: int, max_chars: int
) -> ExtractedText:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _open_without_password(reader):
            raise encrypted()
        page_count = len(reader.pages)
    except IngestError:
        raise
    except (FileNotDecryptedError, NotImplementedError):
        raise encrypted() from None
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, RecursionError):
        raise corrupt_file("PDF") from None
    if page_count > max_pages:
        raise too_large(f"{page_count} pages (the limit is {max_pages})")
    builder = TextBuilder(max_chars=max_chars)
    unreadable = 0
    for number, page in enumerate(reader.pages, start=1):
        deadline.check()
        try:
            text = page.extract_text()
        except IngestError:
            raise
        except Exception:  # one broken page must not cost the rest of the document
            unreadable += 1
            continue
        builder.start_page(number)
        builder.block(text)
        builder.end_page()
    if unreadable == page_count and page_count:
        raise corrupt_file("PDF")
    if unreadable:
        log.warning("ingest.pdf_pages_unreadable", pages=unreadable, page_count=page_count)
    return require_text(builder.build(FileType.pdf, page_count=page_count), "PDF")


def _open_without_password(reader: PdfReader) -> bool:
    """Files locked only against editing open with the empty user password."""
    try:
        return bool(reader.decrypt(""))
    except (FileNotDecryptedError, NotImplementedError, PdfReadError):
        return False
