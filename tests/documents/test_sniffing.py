"""Type sniffing and file names, fed the way uploads arrive: in chunks of any size."""

from __future__ import annotations

import codecs
from urllib.parse import unquote

import pytest

from sift.documents.documents.exceptions import EmptyFile, UnsupportedFileType
from sift.documents.documents.filenames import content_disposition, sanitize_filename
from sift.documents.documents.sniffing import (
    DOCX,
    HTML,
    MARKDOWN,
    PDF,
    TEXT,
    SniffedType,
    Sniffer,
)
from tests.documents import samples


def sniff(content: bytes, chunk: int = 7, *, name: str = "") -> SniffedType:
    sniffer = Sniffer(markdown_name=name.endswith(".md"))
    for start in range(0, len(content), chunk):
        sniffer.feed(content[start : start + chunk])
    return sniffer.finish()


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_a_docx_is_found_wherever_the_chunks_cut(chunk: int) -> None:
    assert sniff(samples.docx(), chunk).mime_type == DOCX
    with pytest.raises(UnsupportedFileType):
        sniff(samples.xlsx(), chunk)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"junk before\n%PDF-1.7\n...", SniffedType(PDF)),
        (b"<!doctype HTML><p>x", SniffedType(HTML, "utf-8")),
        (b"  \n<html lang=en>", SniffedType(HTML, "utf-8")),
        (codecs.BOM_UTF8 + b"<!-- c --><div>", SniffedType(HTML, "utf-8")),
        (b"<b>bold</b> then text", SniffedType(HTML, "utf-8")),
        (b"<bogus> is not html", SniffedType(TEXT, "utf-8")),
        (b"Title\n=====\n\ntext", SniffedType(MARKDOWN, "utf-8")),
        (b"```python\nprint(1)\n```\n", SniffedType(MARKDOWN, "utf-8")),
        (b"- one\n- two with **bold**\n", SniffedType(MARKDOWN, "utf-8")),
        (b"- just a dash line\n", SniffedType(TEXT, "utf-8")),
        ("na\u00efve caf\u00e9".encode(), SniffedType(TEXT, "utf-8")),
        ("na\u00efve caf\u00e9".encode("cp1252"), SniffedType(TEXT, None)),
        (codecs.BOM_UTF16_LE + "# Heading\n".encode("utf-16-le"), SniffedType(MARKDOWN, "utf-16")),
        (codecs.BOM_UTF16_BE + "plain".encode("utf-16-be"), SniffedType(TEXT, "utf-16")),
    ],
)
def test_types_from_content(content: bytes, expected: SniffedType) -> None:
    assert sniff(content) == expected


def test_a_md_name_only_tips_text() -> None:
    assert sniff(b"plain words", name="notes.md").mime_type == MARKDOWN
    assert sniff(b"plain words", name="notes.txt").mime_type == TEXT
    with pytest.raises(UnsupportedFileType):
        sniff(samples.png(), name="notes.md")


def test_binary_is_refused_as_soon_as_it_shows() -> None:
    sniffer = Sniffer()
    sniffer.feed(b"text " * 2000)  # past the head: decided as text
    with pytest.raises(UnsupportedFileType):
        sniffer.feed(b"\x00\x01binary")
    with pytest.raises(UnsupportedFileType):
        Sniffer().feed(samples.elf() * 200)
    with pytest.raises(EmptyFile):
        Sniffer().finish()


# A legacy abstract: its typesetting left 0x19 where a right quote was.
LEGACY_ABSTRACT = (
    b"A Method for Merging Heaps (Algorithm 17)\n\nThe author\x19s method merges two heaps "
    + b"in logarithmic time. " * 30
)


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_text_with_a_few_stray_control_bytes_is_text(chunk: int) -> None:
    assert sniff(LEGACY_ABSTRACT, chunk) == SniffedType(TEXT, "utf-8")
    mangled_quotes = b"It\x19s the author\x19s. " * 500  # one in twelve: no text is like that
    with pytest.raises(UnsupportedFileType):
        sniff(mangled_quotes, chunk)
    past_the_head = b"text " * 2000 + b"\x01\x02\x03\x04" * 2000  # refused at the end
    with pytest.raises(UnsupportedFileType):
        sniff(past_the_head, chunk)


@pytest.mark.parametrize(
    "content",
    [bytes(range(1, 256)) * 40, bytes(range(1, 256))[::3], LEGACY_ABSTRACT + b"\x00"],
    ids=["bytes-without-nul", "short-bytes-without-nul", "one-nul"],
)
def test_binary_without_a_known_signature_is_refused(content: bytes) -> None:
    with pytest.raises(UnsupportedFileType):
        sniff(content)


def test_content_type_carries_the_charset() -> None:
    assert SniffedType(TEXT, "utf-8").content_type == "text/plain; charset=utf-8"
    assert SniffedType(PDF).content_type == PDF


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("a/b/../../c.txt", "c.txt"),
        ("  spaced\t\tout  .txt ", "spaced out .txt"),
        ("\u202egnp.exe", "gnp.exe"),
        ("..", "document"),
        ("", "document"),
        (None, "document"),
        ("zero\u200bwidth.md", "zerowidth.md"),
        ("e\u0301.txt", "\u00e9.txt"),  # NFC
    ],
)
def test_file_names_are_sanitized(raw: str | None, clean: str) -> None:
    assert sanitize_filename(raw) == clean


def test_long_names_keep_their_extension() -> None:
    name = sanitize_filename("x" * 400 + ".docx")
    assert len(name) == 255
    assert name.endswith("x.docx")
    assert len(sanitize_filename("y" * 400)) == 255


def test_content_disposition_for_any_name() -> None:
    header = content_disposition('a "quoted"; name=\u00fcber.pdf')
    plain, encoded = header.split("; filename*=UTF-8''")
    assert plain == 'attachment; filename="a _quoted__ name_uber.pdf"'
    assert unquote(encoded) == 'a "quoted"; name=\u00fcber.pdf'
    assert all(ch not in encoded for ch in ' ";=')
    assert content_disposition("\u6587\u6863") == (
        "attachment; filename=\"document\"; filename*=UTF-8''%E6%96%87%E6%A1%A3"
    )
