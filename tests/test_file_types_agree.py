"""Documents (at upload, streaming) and search (before extraction) type a file alike.

Each side is driven the way it runs: documents' sniffer fed in small chunks with the
file's name, search's given the whole bytes and the type documents recorded.
"""

from __future__ import annotations

import codecs

import pytest

from sift.documents.documents.exceptions import UnsupportedFileType
from sift.documents.documents.sniffing import (
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    TEXT,
    Sniffer,
    is_markdown_name,
)
from sift.search.ingestion.exceptions import IngestError
from sift.search.ingestion.extract import FileType, sniff
from tests.documents import samples

REFUSED = "refused"
AS_SEARCH_TYPE = {
    PDF: FileType.pdf,
    DOCX: FileType.docx,
    HTML: FileType.html,
    MARKDOWN: FileType.markdown,
    TEXT: FileType.text,
}


def documents_type(data: bytes, name: str) -> str:
    sniffer = Sniffer(markdown_name=is_markdown_name(name))
    try:
        for start in range(0, len(data), 5):
            sniffer.feed(data[start : start + 5])
        return sniffer.finish().content_type
    except UnsupportedFileType:
        return REFUSED


TRICKY = [
    ("html-after-comment", b"<!-- built -->\n<html><body>Hi</body></html>", "a.html", HTML),
    ("markdown-after-comment", b"<!-- lint: off -->\n# Title\n\nBody.\n", "a.md", MARKDOWN),
    ("markdown-comment-plain-name", b"<!-- lint: off -->\n# Title\n\nBody.\n", "a.txt", MARKDOWN),
    ("utf8-bom-html", codecs.BOM_UTF8 + b"<!DOCTYPE html><p>x</p>", "a.html", HTML),
    ("utf16-html", codecs.BOM_UTF16_LE + "<html><p>x</p></html>".encode("utf-16-le"), "a", HTML),
    ("utf16-markdown", codecs.BOM_UTF16_BE + "# H\n\nx".encode("utf-16-be"), "a", MARKDOWN),
    ("article-html", b"<article><h2>News</h2><p>x</p></article>", "news", HTML),
    ("bullets-only", b"- one item\n- two items\n", "list.txt", TEXT),
    ("numbered-and-quote", b"1. first\n> quoted\n", "list.txt", MARKDOWN),
    ("tag-lookalike", b"<bogus> is not html\n", "a.txt", TEXT),
    ("plain-named-md", b"Just a few words.", "notes.md", MARKDOWN),
    ("plain", b"Just a few words.", "notes.txt", TEXT),
    ("latin1", "caf\u00e9 cr\u00e8me".encode("latin-1"), "menu.txt", TEXT),
    ("legacy-quote", b"The author\x19s method.\n" * 3 + b"Long enough. " * 10, "a.txt", TEXT),
    ("control-heavy", b"\x01\x02 a \x03\x04 b \x05\x06" * 20, "a.txt", REFUSED),
    ("pdf-after-junk", b"\r\n\r\njunk%PDF-1.7\n1 0 obj\n", "a.pdf", PDF),
    ("docx", samples.docx(), "a.docx", DOCX),
    ("xlsx", samples.xlsx(), "a.docx", REFUSED),
    ("png-named-md", samples.png(), "a.md", REFUSED),
    ("rtf", b"{\\rtf1\\ansi Hello}", "a.txt", REFUSED),
    ("not-a-zip", b"PK\x03\x04 not really a zip", "a.docx", REFUSED),
]


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [case[1:] for case in TRICKY],
    ids=[case[0] for case in TRICKY],
)
def test_documents_and_search_agree(data: bytes, name: str, expected: str) -> None:
    at_upload = documents_type(data, name)
    assert at_upload.split(";")[0] == expected
    if at_upload == REFUSED:
        with pytest.raises(IngestError):
            sniff(data, None)
    else:
        assert sniff(data, at_upload) is AS_SEARCH_TYPE[expected]
