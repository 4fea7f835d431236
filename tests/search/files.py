"""Small real documents made on the spot: PDF (fpdf2, pypdf), DOCX (python-docx), HTML, text."""

from __future__ import annotations

import io
import random
import zipfile

import docx
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

WORDS = [
    *("archive", "budget", "cluster", "dataset", "engine", "feature", "gradient", "harbor"),
    *("index", "journal", "kernel", "ledger", "matrix", "network", "orbit", "pipeline"),
    *("query", "ranking", "sensor", "tensor", "update", "vector", "window", "yield"),
    *("zenith", "the", "of", "and", "to", "in", "for", "with", "on"),
]


def sentences(count: int, *, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
        for _ in range(count)
    ]


def pdf(pages: list[str]) -> bytes:
    document = FPDF()
    document.set_font("helvetica", size=11)
    for text in pages:
        document.add_page()
        document.multi_cell(0, 5, text)
    return bytes(document.output())


def pdf_pages(count: int, *, sentences_per_page: int = 20, seed: int = 0) -> list[str]:
    return [
        " ".join(sentences(sentences_per_page, seed=seed * 1000 + page)) for page in range(count)
    ]


def image_only_pdf() -> bytes:
    document = FPDF()
    document.add_page()
    document.set_fill_color(30, 30, 30)
    document.rect(20, 20, 100, 60, style="F")
    return bytes(document.output())


def encrypted_pdf(text: str = "Secret plans for the harbor.") -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf([text]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="open sesame", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    rng = random.Random(7)
    return b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(4000))


def docx_file(
    *, heading: str, paragraphs: list[str], table: list[list[str]] | None = None
) -> bytes:
    document = docx.Document()
    document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_file(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bomb(unpacked_bytes: int) -> bytes:
    """A DOCX-looking zip whose one member inflates to `unpacked_bytes` of zeros."""
    return zip_file(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/padding.bin": bytes(unpacked_bytes),
        }
    )


def broken_docx() -> bytes:
    return zip_file({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:doc"})


HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Harbor report</title><style>body { color: red }</style>
<script>window.tracking = "should not be indexed";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<header>Site banner text</header>
<main>
<h1>Harbor capacity</h1>
<p>The harbor handled <b>more ships</b> than ever. Its <i>cranes</i> ran all night.</p>
<h2>Outlook</h2>
<p>Next year the pipeline of orders stays full.</p>
<table><tr><td>Cranes</td><td>12</td></tr></table>
</main>
<footer>Copyright footer</footer>
</body></html>"""

MARKDOWN = """# Release notes

Version two brings a faster **index** and a new [query syntax](https://example.org/q).

## Changes

- Ranking uses the vector window.
- The ledger keeps every update.

```
code blocks stay as text
```
"""
