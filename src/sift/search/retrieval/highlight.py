"""Snippets: `ts_headline` picks and marks the fragments; everything else is HTML-escaped.

PostgreSQL marks matches with two control characters that the chunk text cannot contain
(they are removed from it first); the headline is escaped as a whole, and only then are the
sentinels turned into `<mark>` tags. Markup in a document (`<script>`) comes back as text.
"""

from __future__ import annotations

import html

START = "\x01"
STOP = "\x02"


def headline_options(*, max_words: int, min_words: int, max_fragments: int) -> str:
    min_words = min(min_words, max_words - 1)
    return (
        f"StartSel={START}, StopSel={STOP}, MaxWords={max_words}, MinWords={min_words},"
        f' ShortWord=2, MaxFragments={max_fragments}, FragmentDelimiter=" … "'
    )


def render(headline: str) -> str:
    """Escaped HTML with `<mark>` around the matches."""
    escaped = html.escape(headline, quote=True)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def plain_snippet(text: str, *, max_words: int) -> str:
    """The start of the text, escaped: for hits without matching terms (semantic only)."""
    words = text.replace(START, "").replace(STOP, "").split()
    snippet = " ".join(words[:max_words])
    if len(words) > max_words:
        snippet += " …"
    return html.escape(snippet, quote=True)
