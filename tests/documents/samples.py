"""Small real files of every accepted type (and a few refused ones), made in the tests."""

from __future__ import annotations

import io
import uuid
import zipfile


def _marker() -> str:
    return uuid.uuid4().hex  # each sample unique, so that dedupe never interferes


def pdf() -> bytes:
    text = f"Hello {_marker()}"
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _zip(entries: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx() -> bytes:
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>Hello {_marker()}</w:t></w:r></w:p></w:body></w:document>"
    )
    return _zip(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types/>',
            "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
            "word/document.xml": body,
        }
    )


def xlsx() -> bytes:
    """An Office file that is not a Word document: refused."""
    return _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": f"<w>{_marker()}</w>"})


def html() -> bytes:
    return f"<!DOCTYPE html>\n<html><body><h1>Hello</h1><p>{_marker()}</p></body></html>".encode()


def markdown() -> bytes:
    return f"# Title\n\nSome *text* and a [link](https://example.com) {_marker()}.\n".encode()


def text() -> bytes:
    return f"Plain words, nothing else. {_marker()}\n".encode()


def legacy_text() -> bytes:
    """A legacy dump's abstract: its typesetting left 0x19 where a right quote was."""
    return (
        b"Heap Merge (Algorithm 17)\n\nThe author\x19s procedure merges two heaps in "
        b"logarithmic time and is compared with earlier methods.\n"
    )


def legacy_markdown() -> bytes:
    """About a kilobyte of Markdown made from a legacy abstract: one 0x19 among the quotes."""
    body = b"Two heaps are merged in logarithmic time by the classic method. " * 14
    return b"# Heap Merge (Algorithm 17)\n\nThe author\x19s procedure. " + body + b"\n"


def latin1_text() -> bytes:
    return f"Caf\xe9 cr\xe8me {_marker()}\n".encode("latin-1")


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _marker().encode() + b"\x00" * 32


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64 + _marker().encode()
