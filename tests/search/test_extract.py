"""Extraction of every accepted type from real files, and each failure code."""

from __future__ import annotations

import pytest

from sift.contracts.events.documents import IndexFailureCode
from sift.search.config import IngestSettings
from sift.search.ingestion.exceptions import IngestError
from sift.search.ingestion.extract import Deadline, ExtractedText, FileType, extract, sniff
from tests.search import files

SETTINGS = IngestSettings()


def run(data: bytes, declared: str | None = None, **changes: object) -> ExtractedText:
    settings = SETTINGS.model_copy(update=changes)
    return extract(data, declared_type=declared, settings=settings, deadline=Deadline(30))


def failure(data: bytes, declared: str | None = None, **changes: object) -> IngestError:
    with pytest.raises(IngestError) as caught:
        run(data, declared, **changes)
    return caught.value


def test_pdf_keeps_pages_and_their_offsets() -> None:
    pages = ["First page about the harbor.", "Second page about cranes.", "Third: ledgers."]
    extracted = run(files.pdf(pages), "application/pdf")
    assert extracted.file_type is FileType.pdf
    assert extracted.page_count == 3
    assert [span.number for span in extracted.pages] == [1, 2, 3]
    for span, text in zip(extracted.pages, pages, strict=True):
        assert extracted.text[span.start : span.end] == text
    assert extracted.page_at(extracted.text.index("cranes")) == 2


def test_type_comes_from_the_bytes_not_the_declared_type() -> None:
    assert sniff(files.pdf(["x"]), "text/plain") is FileType.pdf
    assert sniff(files.docx_file(heading="H", paragraphs=["p"]), "application/pdf") is (
        FileType.docx
    )
    assert sniff(files.HTML_PAGE.encode(), "text/plain") is FileType.html
    assert sniff(files.MARKDOWN.encode(), "text/plain") is FileType.markdown
    assert sniff(b"Just a few words.", "text/markdown") is FileType.markdown
    assert sniff(b"Just a few words.", "application/pdf") is FileType.text


def test_docx_keeps_headings_paragraphs_and_tables() -> None:
    data = files.docx_file(
        heading="Quarterly ledger",
        paragraphs=["The budget grew.", "Cranes were repaired."],
        table=[["Item", "Cost"], ["Crane", "12"]],
    )
    extracted = run(data)
    assert extracted.file_type is FileType.docx
    assert extracted.text == (
        "Quarterly ledger\n\nThe budget grew.\n\nCranes were repaired.\n\nItem | Cost\n\nCrane | 12"
    )
    [heading] = extracted.headings
    assert (heading.title, heading.level) == ("Quarterly ledger", 1)
    assert extracted.text[heading.start : heading.end] == "Quarterly ledger"


def test_html_reads_the_main_content_only() -> None:
    extracted = run(files.HTML_PAGE.encode(), "text/html")
    assert extracted.text == (
        "Harbor capacity\n\nThe harbor handled more ships than ever. Its cranes ran all night."
        "\n\nOutlook\n\nNext year the pipeline of orders stays full.\n\nCranes 12"
    )
    assert [h.title for h in extracted.headings] == ["Harbor capacity", "Outlook"]
    for dropped in ("tracking", "Home", "banner", "Copyright", "color"):
        assert dropped not in extracted.text


def test_markdown_becomes_plain_blocks_with_headings() -> None:
    extracted = run(files.MARKDOWN.encode(), "text/markdown")
    assert extracted.file_type is FileType.markdown
    assert extracted.text.startswith("Release notes\n\nVersion two brings a faster index")
    assert "**" not in extracted.text and "](" not in extracted.text
    assert "code blocks stay as text" in extracted.text
    assert [(h.title, h.level) for h in extracted.headings] == [
        ("Release notes", 1),
        ("Changes", 2),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
def test_text_encoding_is_detected(encoding: str) -> None:
    text = (
        "Grüße aus Köln \u2013 the café\u2019s ledger was reviewed twice this year.\n\nSecond part."
    )
    extracted = run(text.encode(encoding), "text/plain")
    assert extracted.file_type is FileType.text
    assert extracted.text == text


def test_encrypted_pdf() -> None:
    assert failure(files.encrypted_pdf()).code is IndexFailureCode.encrypted_pdf


@pytest.mark.parametrize("declared", ["text/plain", "text/markdown"])
def test_stray_control_bytes_become_a_quote_or_a_space(declared: str) -> None:
    data = b"# Heaps\n\nThe author\x19s method\x01merges heaps\x1ain log time.\n"
    extracted = extract(data, declared_type=declared, settings=SETTINGS, deadline=Deadline(10))
    assert "The author\u2019s method merges heaps in log time." in extracted.text
    assert extracted.replaced_controls == 3


def test_text_without_stray_controls_notes_none() -> None:
    data = "# Heaps\n\nThe author\u2019s method.\tTabs\fand feeds stay.\n".encode()
    for declared in ("text/plain", "text/markdown", "text/html"):
        extracted = extract(data, declared_type=declared, settings=SETTINGS, deadline=Deadline(9))
        assert extracted.replaced_controls == 0


def test_corrupt_files() -> None:
    assert failure(files.corrupt_pdf()).code is IndexFailureCode.corrupt_file
    assert failure(files.broken_docx()).code is IndexFailureCode.corrupt_file
    assert failure(b"PK\x03\x04 not really a zip").code is IndexFailureCode.corrupt_file


def test_an_empty_file_has_no_text() -> None:
    assert failure(b"").code is IndexFailureCode.no_text


def test_image_only_pdf_has_no_text() -> None:
    error = failure(files.image_only_pdf())
    assert error.code is IndexFailureCode.no_text
    assert "OCR" in error.message


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + bytes(100), b"\x00\x01\x02binary", files.zip_file({"a.txt": b"x"})],
    ids=["png", "binary", "zip"],
)
def test_unsupported_types(data: bytes) -> None:
    assert failure(data).code is IndexFailureCode.unsupported_type


def test_page_cap() -> None:
    error = failure(files.pdf(["a", "b", "c"]), max_pages=2)
    assert error.code is IndexFailureCode.too_large
    assert "3 pages" in error.message


def test_decompression_bomb_is_refused_before_inflating() -> None:
    bomb = files.docx_bomb(64 * 1024 * 1024)
    assert len(bomb) < 200_000
    assert failure(bomb).code is IndexFailureCode.too_large
    assert failure(bomb, max_zip_ratio=10**6, max_unzipped_bytes=1024).code is (
        IndexFailureCode.too_large
    )


def test_text_size_cap() -> None:
    assert failure(b"word " * 5000, max_text_chars=1000).code is IndexFailureCode.too_large


def test_time_budget() -> None:
    data = files.pdf(files.pdf_pages(3))
    with pytest.raises(IngestError) as caught:
        extract(data, declared_type=None, settings=SETTINGS, deadline=Deadline(-1))
    assert caught.value.code is IndexFailureCode.timeout
    assert caught.value.retryable
