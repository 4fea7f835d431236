"""Small text tools for grounding: sentence spans, content words, overlap.

Deliberately light (no model): they run on every answer, for every provider, inside the
latency budget.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

_STOPWORDS = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves tell please explain describe give list show whats many
    much does did"""
STOPWORDS = frozenset(_STOPWORDS.split())
_APOSTROPHES = "'\u2019"
_WORD = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)?", re.UNICODE)
# A sentence ends at . ! ? (with closing quotes/brackets) followed by space, or at a blank line.
_BOUNDARY = re.compile(r"""(?<=[.!?])["'\u201d\u2019)\]]*\s+|\n\s*\n""")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|vs|cf|al|fig|figs|dr|mr|mrs|ms|prof|st|approx)|(?-i:\b[A-Z]))\.$",
    re.IGNORECASE,
)
_CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, whitespace trimmed; offsets index `text`."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].rstrip()
        blank_line = "\n\n" in match.group()
        if not blank_line and _ABBREVIATION.search(candidate[-8:] or ""):
            continue  # "e.g. the" or "Fig. 3": not a boundary
        _add_span(text, start, match.start(), spans)
        start = match.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """A crude suffix stripper: enough for 'engines' ~ 'engine', 'cooling' ~ 'cooled'."""
    for suffix in ("ingly", "edly", "ing", "ies", "ied", "ed", "es", "ly", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Lower-cased, stemmed words without stopwords (numbers kept: they carry facts)."""
    return [
        stem(word)
        for word in words(text)
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit())
    ]


def strip_citations(text: str) -> str:
    return _CITATION.sub("", text).strip()


def jaccard(left: set[str], right: set[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def coverage(claim: Iterable[str], support: set[str]) -> float:
    """The share of the claim's content words that the support contains."""
    claimed = set(claim)
    if not claimed:
        return 1.0
    return len(claimed & support) / len(claimed)


def idf(documents: Sequence[set[str]]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(document)
    total = len(documents)
    return {word: math.log(1 + total / (1 + count)) + 0.1 for word, count in frequency.items()}


def is_number(word: str) -> bool:
    return bool(_NUMBER.match(word))
