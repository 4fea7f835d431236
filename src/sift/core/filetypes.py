"""The type of a file, decided from its bytes (never its name): one rule set for every service.

Accepted: PDF, DOCX (a ZIP holding `word/document.xml`), HTML, Markdown and plain text.
The documents service sniffs an upload as it streams past (binary content is refused as
soon as the first bytes show it); the search service sniffs the stored bytes again before
extracting them. Both use `Sniffer`, so they cannot disagree about a file.

Markdown and plain text are both text: the content decides (headings, fences, links...);
a Markdown hint (a `.md` name, or the type documents recorded) only tips a text file with
no such sign. HTML is recognised by its first tag, after any leading comments, so that a
Markdown file opening with `<!-- ... -->` stays Markdown.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
ACCEPTED_TYPES = (PDF, DOCX, HTML, MARKDOWN, TEXT)

HEAD_SIZE = 8192
_PDF_MAGIC = b"%PDF-"
_PDF_SEARCH = 1024  # readers accept the header anywhere in the first KiB
_ZIP_MAGIC = b"PK\x03\x04"
# The part that makes an Office ZIP what it is; only a Word document is accepted.
_WORD = "Word document"
_OFFICE_PARTS = (
    (b"word/document.xml", _WORD),
    (b"xl/workbook.xml", "Excel workbook"),
    (b"ppt/presentation.xml", "PowerPoint presentation"),
)
# A ZIP names each entry twice: in its local header (30 bytes, then the name) and in the
# central directory (46 bytes, then the name); the name length sits 26 / 28 bytes in.
_ZIP_HEADERS = ((b"PK\x03\x04", 30, 26), (b"PK\x01\x02", 46, 28))
_CARRY = 46 + max(len(part) for part, _ in _OFFICE_PARTS)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Formats recognised only to be refused with a precise reason.
_KNOWN_BINARY = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"{\\rtf", "RTF document"),  # text bytes, but markup no reader of ours understands
)
# NUL is in no text file and in nearly every binary format (and, within the first KiB,
# in any compressed or random data): one refuses the file.
_NUL = b"\x00"
# Other control bytes (tab, newlines, form feed and escape are fine) do turn up in text:
# legacy dumps and text copied out of PDFs keep a stray 0x19 where a typographic quote
# was. Random and compressed bytes are ~10 % such bytes, such text a few per thousand:
# text may hold up to 2 % of them (and a couple in a very short file).
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0b\x0e-\x1a\x1c-\x1f]")
MAX_CONTROL_SHARE = 0.02
_CONTROL_SLACK = 2


def _too_many_controls(count: int, size: int) -> bool:
    return count > _CONTROL_SLACK + MAX_CONTROL_SHARE * size


# WHATWG MIME sniffing's HTML starts, and the sectioning tags pages open with, after any
# leading comments.
_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script|iframe|h[1-6]|div|font"
    r"|table|a|style|title|b|br|p|meta|article|main)[\s/>]",
    re.IGNORECASE | re.DOTALL,
)
_MARKDOWN_SIGNS = (
    re.compile(r"^#{1,6}\s+\S", re.MULTILINE),  # ATX heading
    re.compile(r"^(```|~~~)", re.MULTILINE),  # fenced code
    re.compile(r"^\S.*\n(=+|-+)\s*$", re.MULTILINE),  # setext heading
    re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),  # link
    re.compile(r"^\s{0,3}([-*+]|\d+\.)\s+\S", re.MULTILINE),  # list
    re.compile(r"^\s{0,3}>\s", re.MULTILINE),  # block quote
    re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"),  # strong emphasis
)
_STRONG_SIGNS = 3  # any of the first three alone makes a Markdown file


class UnsupportedContent(ValueError):
    """The bytes are of a type Sift does not index; `what` names it for people."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class EmptyContent(ValueError):
    """No bytes at all."""


@dataclass(frozen=True)
class SniffedType:
    mime_type: str
    charset: str | None = None

    @property
    def content_type(self) -> str:
        return f"{self.mime_type}; charset={self.charset}" if self.charset else self.mime_type


class Sniffer:
    """Feed it every chunk, then call `finish()`; raises as soon as the type is refused."""

    def __init__(self, *, markdown_hint: bool = False) -> None:
        self.markdown_hint = markdown_hint
        self.size = 0
        self._head = bytearray()
        self._kind: str | None = None  # "pdf", "zip", "text" once the head is seen
        self._charset: str | None = None
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._utf8_valid = True
        self._office_parts: set[str] = set()
        self._carry = b""
        self._controls = 0

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if len(self._head) < HEAD_SIZE:
            self._head += chunk[: HEAD_SIZE - len(self._head)]
        if self._kind is None and len(self._head) >= HEAD_SIZE:
            self._decide_head()
        if self._kind in (None, "zip") and _WORD not in self._office_parts:
            self._scan_zip(chunk)
        if self._kind in (None, "text"):
            self._scan_text(chunk, final=False)

    def finish(self) -> SniffedType:
        if self.size == 0:
            raise EmptyContent()
        if self._kind is None:
            self._decide_head()
        if self._kind == "pdf":
            return SniffedType(PDF)
        if self._kind == "zip":
            if _WORD in self._office_parts:
                return SniffedType(DOCX)
            raise UnsupportedContent(min(self._office_parts, default="ZIP archive"))
        self._scan_text(b"", final=True)
        return self._text_type()

    def _decide_head(self) -> None:
        head = bytes(self._head)
        if _PDF_MAGIC in head[:_PDF_SEARCH]:
            self._kind = "pdf"
        elif head.startswith(_ZIP_MAGIC):
            self._kind = "zip"
        else:
            for magic, what in _KNOWN_BINARY:
                if head.startswith(magic):
                    raise UnsupportedContent(what)
            for bom, charset in _BOMS:
                if head.startswith(bom):
                    self._charset = charset
                    break
            if self._charset != "utf-16" and (
                _NUL in head or _too_many_controls(len(_CONTROL_BYTES.findall(head)), len(head))
            ):
                raise UnsupportedContent("binary data")
            self._kind = "text"

    def _scan_zip(self, chunk: bytes) -> None:
        window = self._carry + chunk
        for part, what in _OFFICE_PARTS:
            start = 0
            while (found := window.find(part, start)) >= 0:
                if _names_entry(window, found, len(part)):
                    self._office_parts.add(what)
                    break
                start = found + 1
        self._carry = window[-_CARRY:]

    def _scan_text(self, chunk: bytes, *, final: bool) -> None:
        if self._charset == "utf-16":
            return
        # Before the type is decided, the chunk is all in the head, which is checked then.
        if self._kind == "text" and _NUL in chunk:
            raise UnsupportedContent("binary data")
        # Counted over every byte, checked on the head and on the whole file only: how the
        # bytes were cut into chunks cannot change the answer.
        self._controls += len(_CONTROL_BYTES.findall(chunk))
        if final and _too_many_controls(self._controls, self.size):
            raise UnsupportedContent("binary data")
        if self._utf8_valid:
            try:
                self._utf8.decode(chunk, final=final)
            except UnicodeDecodeError:
                self._utf8_valid = False

    def _text_type(self) -> SniffedType:
        charset = self._charset or ("utf-8" if self._utf8_valid else None)
        codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(charset or "", "latin-1")
        text = bytes(self._head).decode(codec, errors="replace")
        if _HTML_START.match(text):
            return SniffedType(HTML, charset)
        if _looks_like_markdown(text) or (self.markdown_hint and text.strip()):
            return SniffedType(MARKDOWN, charset)
        return SniffedType(TEXT, charset)


def sniff(data: bytes, *, markdown_hint: bool = False) -> SniffedType:
    """The type of bytes held whole."""
    sniffer = Sniffer(markdown_hint=markdown_hint)
    sniffer.feed(data)
    return sniffer.finish()


def _names_entry(window: bytes, found: int, name_length: int) -> bool:
    """Whether the name at `found` is a ZIP entry's (not bytes inside some file)."""
    for magic, offset, length_at in _ZIP_HEADERS:
        header = found - offset
        if header >= 0 and window[header : header + 4] == magic:
            length = window[header + length_at : header + length_at + 2]
            if int.from_bytes(length, "little") == name_length:
                return True
    return False


def _looks_like_markdown(text: str) -> bool:
    signs = [bool(sign.search(text)) for sign in _MARKDOWN_SIGNS]
    return any(signs[:_STRONG_SIGNS]) or sum(signs) >= 2


def is_markdown_name(filename: str) -> bool:
    return filename.lower().endswith((".md", ".markdown", ".mdown", ".mkd"))
