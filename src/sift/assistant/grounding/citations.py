"""Citations checked, not trusted: resolve [n] marks, verify quotes, flag unsupported claims.

- A mark `[n]` resolves when passage n was in the prompt; otherwise it is removed from
  the answer and counted in `dropped`.
- A quote the model put in double quotes before a mark must occur in one of the passages
  that sentence cites; if not, that sentence's marks are dropped (and counted).
- Every resolved citation carries a `quote`: the model's verified quote, else the sentence
  of the passage that best supports the citing sentences. Either way it is a span of the
  chunk's text, with its offsets, checked by `chunk_text[start:end] == quote`.
- A sentence of the answer is supported when it cites at least one resolved passage and
  most of its content words occur in the passages it cites.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sift.assistant.grounding import text as tx
from sift.assistant.passages import Passage

_MARK = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_QUOTED = re.compile(r"[\"“]([^\"“”]{8,400})[\"”]")
_NO_ANSWER = re.compile(
    r"could not find|couldn't find|cannot find|do(es)? not (contain|answer|mention)|no (relevant )?"
    r"(information|answer)|not (enough|sufficient) information|no text to summarize",
    re.IGNORECASE,
)
SUPPORT_THRESHOLD = 0.6


@dataclass(frozen=True)
class Citation:
    n: int
    passage: Passage
    quote: str
    start: int  # offsets of the quote in the chunk's text
    end: int

    @property
    def document_start(self) -> int:
        return self.passage.start_char + self.start

    @property
    def document_end(self) -> int:
        return self.passage.start_char + self.end


@dataclass
class CheckedAnswer:
    answer: str
    citations: list[Citation] = field(default_factory=list)
    dropped: int = 0
    grounded: bool = True
    unsupported_sentences: list[str] = field(default_factory=list)


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    numbers: list[int] = field(default_factory=list)  # resolved marks, in order


def find_span(haystack: str, needle: str) -> tuple[int, int] | None:
    """Where `needle` occurs in `haystack`, exactly or up to whitespace differences."""
    index = haystack.find(needle)
    if index >= 0:
        return index, index + len(needle)
    pieces = needle.split()
    if not pieces:
        return None
    pattern = r"\s+".join(re.escape(piece) for piece in pieces)
    match = re.search(pattern, haystack)
    return (match.start(), match.end()) if match else None


def _best_sentence(passage: Passage, claims: Sequence[str]) -> tuple[int, int]:
    wanted = set()
    for claim in claims:
        wanted.update(tx.content_words(tx.strip_citations(claim)))
    spans = tx.sentence_spans(passage.text) or [(0, len(passage.text))]
    return max(
        spans,
        key=lambda span: len(wanted & set(tx.content_words(passage.text[span[0] : span[1]]))),
    )


def check(answer: str, passages: Sequence[Passage]) -> CheckedAnswer:
    result = CheckedAnswer(answer=answer)
    sentences = [_Sentence(s, e, answer[s:e]) for s, e in tx.sentence_spans(answer)]
    verified_quotes: dict[int, tuple[int, int]] = {}
    for sentence in sentences:
        numbers: list[int] = []
        for match in _MARK.finditer(sentence.text):
            for raw in re.split(r"[,;]", match.group(1)):
                number = int(raw)
                if 1 <= number <= len(passages):
                    numbers.append(number)
                else:
                    result.dropped += 1
        quotes = [m.group(1) for m in _QUOTED.finditer(tx.strip_citations(sentence.text))]
        for quote in quotes:
            homes = [(n, span) for n in numbers if (span := find_span(passages[n - 1].text, quote))]
            if not homes:  # the model quoted words no cited passage contains
                result.dropped += len(numbers)
                numbers = []
                break
            for n, span in homes:
                verified_quotes.setdefault(n, span)
        sentence.numbers = list(dict.fromkeys(numbers))
        sentence.text = _rewrite_marks(sentence.text, set(sentence.numbers))
    result.answer = _rebuild(answer, sentences)
    result.citations = _citations(sentences, passages, verified_quotes)
    _ground(result, sentences, passages)
    return result


def _rewrite_marks(text: str, keep: set[int]) -> str:
    def replace(match: re.Match[str]) -> str:
        numbers = [n for n in re.split(r"[,;]", match.group(1)) if int(n) in keep]
        return f"[{', '.join(n.strip() for n in numbers)}]" if numbers else ""

    rewritten = _MARK.sub(replace, text)
    return re.sub(r"\s+([.,;:!?])", r"\1", rewritten) if rewritten != text else text


def _rebuild(answer: str, sentences: Sequence[_Sentence]) -> str:
    parts: list[str] = []
    cursor = 0
    for sentence in sentences:
        parts.append(answer[cursor : sentence.start])
        parts.append(sentence.text)
        cursor = sentence.end
    parts.append(answer[cursor:])
    return "".join(parts).strip()


def _citations(
    sentences: Sequence[_Sentence],
    passages: Sequence[Passage],
    verified_quotes: dict[int, tuple[int, int]],
) -> list[Citation]:
    claims: dict[int, list[str]] = {}
    for sentence in sentences:
        for number in sentence.numbers:
            claims.setdefault(number, []).append(sentence.text)
    citations = []
    for number in sorted(claims):
        passage = passages[number - 1]
        start, end = verified_quotes.get(number) or _best_sentence(passage, claims[number])
        quote = passage.text[start:end]
        if not quote.strip() or passage.text[start:end] != quote:  # pragma: no cover - guard
            continue
        citations.append(Citation(number, passage, quote, start, end))
    return citations


def _ground(
    result: CheckedAnswer, sentences: Sequence[_Sentence], passages: Sequence[Passage]
) -> None:
    unsupported = []
    for sentence in sentences:
        claim = tx.strip_citations(sentence.text)
        words = tx.content_words(claim)
        if not words or _NO_ANSWER.search(claim):
            continue  # nothing claimed ("I could not find this in the documents.")
        support: set[str] = set()
        for number in sentence.numbers:
            support.update(tx.content_words(passages[number - 1].text))
        if not sentence.numbers or tx.coverage(words, support) < SUPPORT_THRESHOLD:
            unsupported.append(claim)
    result.unsupported_sentences = unsupported
    result.grounded = not unsupported
