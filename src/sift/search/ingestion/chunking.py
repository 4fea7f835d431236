"""Chunks of whole sentences, each with exact offsets and a contextual header.

A document, or a section (the text under one heading), that fits the embedding model's
window with its header is one chunk: splitting it would only cost both rankers context.
A longer section is cut into chunks of ~target tokens with an overlap; short whole
sections are packed together up to the target. Every chunk carries `context` — the
document's title and its section heading — which is indexed as the title field of the
full-text vector and prepended to the text that is embedded (`embedding_input`).

Deterministic: the same text, sentences, headings, title and tokenizer always give the
same chunks. A chunk's text is `text[start:end]`, so a citation can point exactly into
the extracted text.
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
CONTEXT_SEPARATOR = " — "
CONTEXT_MAX_CHARS = 1000
HEADING_MAX_CHARS = 500  # what chunks.heading holds


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
    context: str | None = None


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    page: int | None
    tokens: int


def chunk_context(title: str | None, heading: str | None) -> str | None:
    """The chunk's header: `Title — Heading`, the heading left out when it repeats the
    title; None when there is neither."""
    parts: list[str] = []
    for part in (title, heading):
        cleaned = " ".join((part or "").split())
        if cleaned and all(cleaned.casefold() != seen.casefold() for seen in parts):
            parts.append(cleaned)
    return CONTEXT_SEPARATOR.join(parts)[:CONTEXT_MAX_CHARS] or None


def embedding_input(context: str | None, text: str) -> str:
    """What is embedded for a chunk: its header, then its text (a text that already begins
    with the header, e.g. a title heading on the first chunk, is not given it twice)."""
    if not context or text.startswith(context):
        return text
    return f"{context}\n\n{text}"


def chunk_text(
    text: str,
    sentences: Sequence[Sentence],
    *,
    count_tokens: TokenCounter,
    target_tokens: int,
    max_tokens: int,
    overlap_tokens: int,
    headings: Sequence[Heading] = (),
    title: str | None = None,
) -> list[ChunkDraft]:
    if not 0 < target_tokens <= max_tokens or not 0 <= overlap_tokens < target_tokens:
        raise ValueError("need 0 < target <= max and 0 <= overlap < target")
    units = _units(text, sentences, count_tokens, max_tokens)
    heading_starts = [heading.start for heading in headings]

    def heading_at(offset: int) -> str | None:
        return _heading_before(headings, heading_starts, offset)

    header_tokens: dict[str | None, int] = {None: 0}

    def header_cost(context: str | None) -> int:
        if context not in header_tokens:  # the header and the blank line after it
            header_tokens[context] = count_tokens([f"{context}\n\n"])[0]
        return header_tokens[context]

    spans: list[tuple[int, int]] = []
    packable = False  # the last span is whole sections, still under the target
    for first, last in _sections(units, heading_starts):
        context = chunk_context(title, heading_at(units[first].start))
        if _fits(text, units, first, last, context, count_tokens, max_tokens):
            if packable:
                previous = spans[-1][0]
                header = header_cost(chunk_context(title, heading_at(units[previous].start)))
                if header + sum(u.tokens for u in units[previous:last]) <= target_tokens:
                    spans[-1] = (previous, last)
                    continue
            spans.append((first, last))
            packable = header_cost(context) + sum(u.tokens for u in units[first:last]) < (
                target_tokens
            )
            continue
        # The header takes part of the window (a very long one at most half of it).
        budget = max(max_tokens - header_cost(context), max_tokens // 2)
        target = min(target_tokens, budget)
        overlap = min(overlap_tokens, target - 1)
        start = first
        while True:
            end = _fill(units, start, last, target, budget)
            spans.append((start, end))
            if end >= last:
                break
            start = _overlap_start(units, start, end, overlap)
        packable = False
    texts = [text[units[a].start : units[b - 1].end] for a, b in spans]
    counts = count_tokens(texts) if texts else []
    drafts: list[ChunkDraft] = []
    for ordinal, ((a, b), chunk, tokens) in enumerate(zip(spans, texts, counts, strict=True)):
        heading = heading_at(units[a].start)
        drafts.append(
            ChunkDraft(
                ordinal=ordinal,
                start=units[a].start,
                end=units[b - 1].end,
                page=units[a].page,
                page_end=units[b - 1].page,
                text=chunk,
                token_count=tokens,
                heading=heading,
                context=chunk_context(title, heading),
            )
        )
    return drafts


def _sections(units: Sequence[_Unit], heading_starts: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of units under the same heading, as (first, one past the last)."""
    sections: list[tuple[int, int]] = []
    first = 0
    for index in range(1, len(units) + 1):
        if index == len(units) or bisect.bisect_right(
            heading_starts, units[index - 1].start
        ) != bisect.bisect_right(heading_starts, units[index].start):
            sections.append((first, index))
            first = index
    return sections if units else []


def _fits(
    text: str,
    units: Sequence[_Unit],
    first: int,
    last: int,
    context: str | None,
    count_tokens: TokenCounter,
    maximum: int,
) -> bool:
    """Whether the section, embedded with its header, fits the window (counted exactly)."""
    if sum(u.tokens for u in units[first:last]) > maximum:
        return False
    section = text[units[first].start : units[last - 1].end]
    return count_tokens([embedding_input(context, section)])[0] <= maximum


def _fill(units: Sequence[_Unit], first: int, stop: int, target: int, maximum: int) -> int:
    """One past the last unit of the chunk that starts at `first` (at most `stop`)."""
    total = units[first].tokens
    last = first + 1
    while last < stop and total < target:
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
    return headings[index].title[:HEADING_MAX_CHARS] if index >= 0 else None
