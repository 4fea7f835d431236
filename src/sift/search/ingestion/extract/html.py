"""The main content of an HTML page as text: blocks kept apart, headings recorded.

Scripts, styles, navigation, headers, footers, forms and asides are dropped; when the page
marks its main content (`<main>`, `<article>`, `role="main"`) only that is read.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sift.search.ingestion.extract.base import (
    Deadline,
    ExtractedText,
    FileType,
    TextBuilder,
    require_text,
)

DROPPED = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "object",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "head",
)
MAIN_CONTENT = ("main", "[role=main]", "article")
BLOCKS = frozenset(
    {
        "address", "blockquote", "body", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "hr", "li", "main", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "thead", "tfoot", "tr", "ul", "article", "br",
        "caption", "html",
    }
)  # fmt: skip
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def extract_html(
    data: bytes | str, *, deadline: Deadline, max_chars: int, file_type: FileType = FileType.html
) -> ExtractedText:
    parser = LexborHTMLParser(data)
    for selector in DROPPED:
        for node in parser.css(selector):
            node.decompose()
    root = _main_content(parser)
    builder = TextBuilder(max_chars=max_chars)
    if root is not None:
        _Walker(builder, deadline).walk(root)
    kind = "Markdown document" if file_type is FileType.markdown else "HTML page"
    return require_text(builder.build(file_type), kind)


def _main_content(parser: LexborHTMLParser) -> LexborNode | None:
    for selector in MAIN_CONTENT:
        candidates = parser.css(selector)
        if candidates:
            # The largest marked region: pages often mark a small <article> teaser too.
            return max(candidates, key=lambda node: len(node.text(deep=True) or ""))
    return parser.body or parser.root


class _Walker:
    """Depth-first: inline text accumulates into the current block, block tags flush it."""

    def __init__(self, builder: TextBuilder, deadline: Deadline) -> None:
        self.builder = builder
        self.deadline = deadline
        self.inline: list[str] = []
        self.visited = 0

    def flush(self) -> None:
        if self.inline:
            self.builder.block("".join(self.inline))
            self.inline = []

    def walk(self, node: LexborNode) -> None:
        self.visited += 1
        if self.visited % 2000 == 0:
            self.deadline.check()
        tag = node.tag or ""
        if tag == "-text":
            self.inline.append(node.text_content or "")
            return
        if tag in HEADINGS:
            self.flush()
            self.builder.heading(node.text(deep=True) or "", HEADINGS[tag])
            return
        if tag == "pre":
            self.flush()
            self.builder.block(node.text(deep=True) or "")
            return
        block = tag in BLOCKS
        if block:
            self.flush()
        child = node.child
        while child is not None:
            self.walk(child)
            child = child.next
        if block:
            self.flush()
        if tag in ("td", "th"):
            self.inline.append(" ")
