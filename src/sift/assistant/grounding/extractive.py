"""The local answerer: picks the passages' sentences that best answer, without a model.

Relevance is IDF-weighted coverage of the question's content words (plus a little of the
passage's retrieval rank); redundancy is removed with maximal marginal relevance (MMR)
over the sentences' word sets. Sentences that address an assistant ("ignore previous
instructions", "you are now ...") are never selected: document text is data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sift.assistant.grounding import text as tx
from sift.assistant.passages import Passage

NO_ANSWER = "I could not find an answer to this question in the available documents."
NO_SUMMARY = "The document has no text to summarize."
MAX_SENTENCE_CHARS = 600
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules|above|previous)"
    r"|\byou are (now|no longer)\b|\b(system|developer) (prompt|message)\b"
    r"|\b(as an ai|language model|assistant)\b.{0,40}\b(must|should|will|shall)\b"
    r"|\b(respond|reply|answer|say)\b.{0,30}\bonly\b.{0,30}\bwith\b",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Candidate:
    number: int  # the passage's [n]
    rank: int  # the passage's position in retrieval order
    position: int  # the sentence's position in its passage
    text: str
    words: frozenset[str]


def looks_like_instruction(sentence: str) -> bool:
    return bool(_INSTRUCTION.search(sentence))


def candidates(passages: Sequence[Passage], first_number: int = 1) -> list[Candidate]:
    found: list[Candidate] = []
    for index, passage in enumerate(passages):
        for position, sentence in enumerate(tx.sentences(passage.text)):
            sentence = " ".join(sentence.split())
            if len(sentence) > MAX_SENTENCE_CHARS or looks_like_instruction(sentence):
                continue
            content = frozenset(tx.content_words(sentence))
            if len(content) < 2:
                continue  # headings, page numbers, fragments
            found.append(Candidate(index + first_number, index, position, sentence, content))
    return found


def mmr(
    pool: Sequence[Candidate],
    relevance: dict[Candidate, float],
    *,
    limit: int,
    balance: float = 0.7,
    max_similarity: float = 0.6,
) -> list[Candidate]:
    """Greedy MMR: each pick maximises balance*relevance - (1-balance)*similarity to picks."""
    chosen: list[Candidate] = []
    remaining = [c for c in pool if relevance.get(c, 0.0) > 0]
    while remaining and len(chosen) < limit:

        def score(candidate: Candidate) -> float:
            overlap = max(
                (tx.jaccard(set(candidate.words), set(c.words)) for c in chosen), default=0
            )
            return balance * relevance[candidate] - (1 - balance) * overlap

        best = max(remaining, key=score)
        remaining.remove(best)
        if any(tx.jaccard(set(best.words), set(c.words)) > max_similarity for c in chosen):
            continue  # a near-duplicate (overlapping chunks repeat sentences)
        chosen.append(best)
    return chosen


def _stitch(chosen: Sequence[Candidate]) -> str:
    parts = []
    for candidate in chosen:
        # The document's own reference marks ("[12]") would read as our citations.
        sentence = tx.strip_citations(candidate.text).rstrip()
        if sentence[-1:] in ".!?":
            parts.append(f"{sentence[:-1]} [{candidate.number}]{sentence[-1]}")
        else:
            parts.append(f"{sentence} [{candidate.number}].")
    return " ".join(parts)


def answer(
    question: str, passages: Sequence[Passage], *, max_sentences: int = 3, min_coverage: float = 0.2
) -> str:
    """The best-supported sentences for `question`, cited, or `NO_ANSWER`."""
    pool = candidates(passages)
    asked = set(tx.content_words(question))
    if not pool or not asked:
        return NO_ANSWER
    weights = tx.idf([set(c.words) for c in pool])
    total = sum(weights.get(word, 1.0) for word in asked)
    relevance: dict[Candidate, float] = {}
    for candidate in pool:
        matched = sum(weights.get(word, 1.0) for word in asked & candidate.words)
        share = matched / total
        if share >= min_coverage:
            relevance[candidate] = share + 0.05 / (1 + candidate.rank)
    chosen = mmr(pool, relevance, limit=max_sentences)
    if not chosen:
        return NO_ANSWER
    best = relevance[chosen[0]]
    chosen = [c for c in chosen if relevance[c] >= best * 0.75]  # drop weak tail sentences
    return _stitch(chosen)


def summary(passages: Sequence[Passage], *, max_sentences: int = 5, first_number: int = 1) -> str:
    """The most central sentences (frequent content words, Luhn-style), in document order."""
    pool = candidates(passages, first_number)
    if not pool:
        return NO_SUMMARY
    frequency: Counter[str] = Counter()
    for candidate in pool:
        frequency.update(candidate.words)
    top = max(frequency.values())
    relevance = {
        c: sum(frequency[word] / top for word in c.words) / (len(c.words) ** 0.5) for c in pool
    }
    chosen = mmr(pool, relevance, limit=max_sentences, balance=0.6, max_similarity=0.5)
    chosen.sort(key=lambda c: (c.rank, c.position))
    return _stitch(chosen)
