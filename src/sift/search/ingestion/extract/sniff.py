"""The file type from the bytes themselves (magic numbers, then content), never the name."""

from __future__ import annotations

import io
import re
import zipfile

from sift.search.ingestion.exceptions import corrupt_file, unsupported_type
from sift.search.ingestion.extract.base import FileType

_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body|<meta|<title|<article|<main|<div|"
    rb"<p[\s>]|<h[1-6][\s>])",
    re.IGNORECASE | re.DOTALL,
)
_MARKDOWN_SIGNS = re.compile(
    r"^(#{1,6} \S|```|~~~|[-*+] \S|\d+\. \S|> \S)|\[[^\]\n]+\]\([^)\n]+\)|^[=-]{3,}\s*$",
    re.MULTILINE,
)
# Binary formats we recognize only to refuse them with a precise message.
_KNOWN_BINARY: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"{\\rtf", "RTF document"),
)
MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown"})


def sniff(data: bytes, declared_type: str | None = None) -> FileType:
    """PDF and DOCX by their magic numbers; HTML, Markdown and text by their content.

    `declared_type` (what the documents service sniffed) only tells Markdown from plain text,
    which no magic number can.
    """
    head = data[:1024]
    if b"%PDF-" in head:
        return FileType.pdf
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    for magic, what in _KNOWN_BINARY:
        if head.startswith(magic):
            raise unsupported_type(what)
    sample = data[:8192]
    if b"\x00" in sample and not _is_utf16(sample):
        raise unsupported_type("binary data")
    if _HTML_START.match(sample.lstrip(b"\xef\xbb\xbf")):
        return FileType.html
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared in MARKDOWN_TYPES:
        return FileType.markdown
    if declared == "text/html":
        return FileType.html
    text = sample.decode("utf-8", errors="ignore")
    if len(_MARKDOWN_SIGNS.findall(text)) >= 2:
        return FileType.markdown
    return FileType.text


def _is_utf16(sample: bytes) -> bool:
    return sample.startswith((b"\xff\xfe", b"\xfe\xff"))


def _zip_type(data: bytes) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise corrupt_file("ZIP") from None
    if "word/document.xml" in names:
        return FileType.docx
    if "xl/workbook.xml" in names:
        raise unsupported_type("Excel workbook")
    if "ppt/presentation.xml" in names:
        raise unsupported_type("PowerPoint presentation")
    raise unsupported_type("ZIP archive")
