"""The type of an upload, decided from its bytes as they stream past (never its name).

Accepted: PDF, DOCX (a ZIP holding `word/document.xml`), HTML, Markdown and plain text.
Binary content is refused as soon as the first bytes show it, so a refused upload does not
have to be received whole. Markdown and plain text are both text: the content decides
(headings, fences, links...); a `.md` name only tips a text file with no such sign.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from sift.documents.documents.exceptions import EmptyFile, UnsupportedFileType

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
_DOCX_PART = b"word/document.xml"
# A ZIP names each entry twice: in its local header (30 bytes, then the name) and in the
# central directory (46 bytes, then the name); the name length sits 26 / 28 bytes in.
_ZIP_HEADERS = ((b"PK\x03\x04", 30, 26), (b"PK\x01\x02", 46, 28))
_CARRY = 46 + len(_DOCX_PART)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes no text file holds (tab, newlines, form feed and escape are fine).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
# WHATWG MIME sniffing: an HTML document starts with one of these (case-insensitive).
_HTML_STARTS = re.compile(
    r"^\s*(<!doctype html|<html|<head|<script|<iframe|<h1|<div|<font|<table|<a|<style"
    r"|<title|<b|<body|<br|<p|<!--)[\s>]",
    re.IGNORECASE,
)
_MARKDOWN_SIGNS = (
    re.compile(r"^#{1,6}\s+\S", re.MULTILINE),  # ATX heading
    re.compile(r"^(```|~~~)", re.MULTILINE),  # fenced code
    re.compile(r"^\S.*\n(=+|-+)\s*$", re.MULTILINE),  # setext heading
    re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),  # link
    re.compile(r"^\s{0,3}[-*+]\s+\S", re.MULTILINE),  # bullet list
    re.compile(r"^\s{0,3}>\s", re.MULTILINE),  # block quote
    re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"),  # strong emphasis
)
_STRONG_SIGNS = 3  # any of the first three alone makes a Markdown file


@dataclass(frozen=True)
class SniffedType:
    mime_type: str
    charset: str | None = None

    @property
    def content_type(self) -> str:
        return f"{self.mime_type}; charset={self.charset}" if self.charset else self.mime_type


class Sniffer:
    """Feed it every chunk, then call `finish()`; raises as soon as the type is refused."""

    def __init__(self, *, markdown_name: bool = False) -> None:
        self.markdown_name = markdown_name
        self.size = 0
        self._head = bytearray()
        self._kind: str | None = None  # "pdf", "zip", "text" once the head is seen
        self._charset: str | None = None
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._utf8_valid = True
        self._binary = False
        self._docx_part = False
        self._carry = b""

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if len(self._head) < HEAD_SIZE:
            self._head += chunk[: HEAD_SIZE - len(self._head)]
        if self._kind is None and len(self._head) >= HEAD_SIZE:
            self._decide_head()
        if self._kind in (None, "zip") and not self._docx_part:
            self._scan_zip(chunk)
        if self._kind in (None, "text"):
            self._scan_text(chunk, final=False)

    def finish(self) -> SniffedType:
        if self.size == 0:
            raise EmptyFile()
        if self._kind is None:
            self._decide_head()
        if self._kind == "pdf":
            return SniffedType(PDF)
        if self._kind == "zip":
            if not self._docx_part:
                raise UnsupportedFileType("The ZIP archive is not a Word (DOCX) document.")
            return SniffedType(DOCX)
        self._scan_text(b"", final=True)
        return self._text_type()

    def _decide_head(self) -> None:
        head = bytes(self._head)
        if _PDF_MAGIC in head[:_PDF_SEARCH]:
            self._kind = "pdf"
        elif head.startswith(_ZIP_MAGIC):
            self._kind = "zip"
        else:
            for bom, charset in _BOMS:
                if head.startswith(bom):
                    self._charset = charset
                    break
            if self._charset != "utf-16" and _BINARY_BYTES.search(head):
                raise UnsupportedFileType()
            self._kind = "text"

    def _scan_zip(self, chunk: bytes) -> None:
        window = self._carry + chunk
        start = 0
        while (found := window.find(_DOCX_PART, start)) >= 0:
            for magic, offset, length_at in _ZIP_HEADERS:
                header = found - offset
                if header >= 0 and window[header : header + 4] == magic:
                    length = window[header + length_at : header + length_at + 2]
                    name_length = int.from_bytes(length, "little")
                    if name_length == len(_DOCX_PART):
                        self._docx_part = True
                        return
            start = found + 1
        self._carry = window[-_CARRY:]

    def _scan_text(self, chunk: bytes, *, final: bool) -> None:
        if self._charset == "utf-16":
            return
        if chunk and _BINARY_BYTES.search(chunk):
            self._binary = True
            if self._kind == "text":
                raise UnsupportedFileType()
        if self._utf8_valid:
            try:
                self._utf8.decode(chunk, final=final)
            except UnicodeDecodeError:
                self._utf8_valid = False

    def _text_type(self) -> SniffedType:
        if self._binary and self._charset != "utf-16":
            raise UnsupportedFileType()
        charset = self._charset or ("utf-8" if self._utf8_valid else None)
        codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(charset or "", "latin-1")
        text = bytes(self._head).decode(codec, errors="replace")
        if _HTML_STARTS.match(text):
            return SniffedType(HTML, charset)
        if _looks_like_markdown(text) or (self.markdown_name and text.strip()):
            return SniffedType(MARKDOWN, charset)
        return SniffedType(TEXT, charset)


def _looks_like_markdown(text: str) -> bool:
    signs = [bool(sign.search(text)) for sign in _MARKDOWN_SIGNS]
    return any(signs[:_STRONG_SIGNS]) or sum(signs) >= 2


def is_markdown_name(filename: str) -> bool:
    return filename.lower().endswith((".md", ".markdown", ".mdown", ".mkd"))
