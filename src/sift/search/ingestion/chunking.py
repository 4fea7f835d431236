"""Chunks of whole sentences, ~target tokens with an overlap, each with exact offsets.

Deterministic: the same text, sentences and tokenizer always give the same chunks. A chunk's
text is `text[start:end]`, so a citation can point exactly into the extracted text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sift.search.ingestion.extract import Heading
from sift.search.ingestion.nlp import Sentence

TokenCounter = Callable[[Sequence[str]], list[int]]
_WORDS = re.compile(r"\S+")


@dataclass(frozen=True)
class ChunkDraft:
    ordinal: int
    start: int
    end: int
    page: int | None
    page_end: int | None
    text: str
    token_count: int
    heading: str | None


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    page: int | None
    tokens: int


def chunk_text(
    text: str,
    sentences: Sequence[Sentence],
    *,
    count_tokens: TokenCounter,
    target_tokens: int,
    max_tokens: int,
    overlap_tokens: int,
    headings: Sequence[Heading] = (),
) -> list[ChunkDraft]:
    if not 0 < target_tokens <= max_tokens or not 0 <= overlap_tokens < target_tokens:
        raise ValueError("need 0 < target <= max and 0 <= overlap < target")
    units = _units(text, sentences, count_tokens, max_tokens)
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last = _fill(units, first, target_tokens, max_tokens)
        spans.append((first, last))
        if last >= len(units):
            break
        first = _overlap_start(units, first, last, overlap_tokens)
    texts = [text[units[a].start : units[b - 1].end] for a, b in spans]
    counts = count_tokens(texts) if texts else []
    heading_starts = [heading.start for heading in headings]
    return [
        ChunkDraft(
            ordinal=ordinal,
            start=units[a].start,
            end=units[b - 1].end,
            page=units[a].page,
            page_end=units[b - 1].page,
            text=chunk,
            token_count=tokens,
            heading=_heading_before(headings, heading_starts, units[a].start),
        )
        for ordinal, ((a, b), chunk, tokens) in enumerate(zip(spans, texts, counts, strict=True))
    ]


def _fill(units: Sequence[_Unit], first: int, target: int, maximum: int) -> int:
    """One past the last unit of the chunk that starts at `first`."""
    total = units[first].tokens
    last = first + 1
    while last < len(units) and total < target:
        unit = units[last]
        if total + unit.tokens > maximum:
            break
        # Prefer to end a chunk where a page ends once it is reasonably full.
        if unit.page != units[last - 1].page and total >= target // 2:
            break
        total += unit.tokens
        last += 1
    return last


def _overlap_start(units: Sequence[_Unit], first: int, last: int, overlap: int) -> int:
    """Where the next chunk starts: the trailing sentences of this one that fit the overlap,
    always moving forward."""
    start = last
    total = 0
    while start - 1 > first and total + units[start - 1].tokens <= overlap:
        start -= 1
        total += units[start].tokens
    return start


def _units(
    text: str, sentences: Sequence[Sentence], count_tokens: TokenCounter, maximum: int
) -> list[_Unit]:
    counts = count_tokens([text[s.start : s.end] for s in sentences]) if sentences else []
    units: list[_Unit] = []
    for sentence, tokens in zip(sentences, counts, strict=True):
        if tokens <= maximum:
            units.append(_Unit(sentence.start, sentence.end, sentence.page, tokens))
        else:  # a run-on "sentence" (tables, lists without punctuation): split at words
            units.extend(_split(text, sentence, count_tokens, maximum))
    return units


def _split(text: str, sentence: Sentence, count_tokens: TokenCounter, maximum: int) -> list[_Unit]:
    words = [(m.start(), m.end()) for m in _WORDS.finditer(text, sentence.start, sentence.end)]
    pieces: list[_Unit] = []
    step = max(1, maximum // 2)
    index = 0
    while index < len(words):
        size = min(step, len(words) - index)
        while True:
            start, end = words[index][0], words[index + size - 1][1]
            tokens = count_tokens([text[start:end]])[0]
            if tokens <= maximum or size == 1:
                break
            size = max(1, size // 2)
        pieces.append(_Unit(start, end, sentence.page, tokens))
        index += size
    return pieces


def _heading_before(headings: Sequence[Heading], starts: Sequence[int], offset: int) -> str | None:
    index = bisect.bisect_right(starts, offset) - 1
    return headings[index].title if index >= 0 else None
