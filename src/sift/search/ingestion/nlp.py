"""Language, sentences and keywords with spaCy (and py3langid for the language).

A trained spaCy pipeline is used when one is configured and installed for the language;
otherwise a blank pipeline with the rule-based sentencizer, which needs no download.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import spacy
import structlog
from spacy.language import Language

from sift.search.ingestion.extract import Deadline, ExtractedText
from sift.search.language import detect_language, text_search_config

log = structlog.get_logger()

MAX_SEGMENT_CHARS = 100_000  # spaCy works on segments this long at most
KEYWORDS = 20
_WORD = re.compile(r"^[^\W\d_][\w'-]*$")
_BREAK = re.compile(r"\n|(?<=[.!?;:])\s|\s")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    page: int | None


@dataclass(frozen=True)
class Analysis:
    language: str | None  # ISO 639-1, None when undetermined
    text_search_config: str
    sentences: list[Sentence]
    keywords: list[str]
    # False when the detector could not decide and `language` is only the default given to
    # `analyze`: the collection's language (`settle_language`) takes its place.
    detected: bool = True


def settle_language(
    analysis: Analysis, *, forced: str | None, fallback: str | None, default: str | None
) -> Analysis:
    """The language a version is indexed in: the uploader's (`forced`), else the detected
    one, else the collection's (`fallback`), else the organization's (`default`)."""
    language = forced or (analysis.language if analysis.detected else fallback or default)
    return replace(
        analysis,
        language=language,
        text_search_config=text_search_config(language),
        detected=analysis.detected and not forced,
    )


@lru_cache(maxsize=16)
def pipeline(language: str | None, model: str | None = None) -> Language:
    """One pipeline per language and process: loading costs far more than running."""
    if model:
        try:
            nlp = spacy.load(model, exclude=["ner"])
            if not (nlp.has_pipe("parser") or nlp.has_pipe("senter")):
                nlp.add_pipe("sentencizer")
            return nlp
        except OSError:
            log.warning("ingest.spacy_model_missing", model=model)
    try:
        nlp = spacy.blank(language or "xx")
    except (ImportError, KeyError, ValueError):  # a language spaCy has no class for
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def segments(extracted: ExtractedText) -> Iterator[tuple[int, str, int | None]]:
    """(offset, text, page) of each block (paragraph) of the text, none longer than spaCy's
    comfortable size and none crossing a page."""
    text = extracted.text
    for page in extracted.pages:
        position = page.start
        while position < page.end:
            separator = text.find("\n\n", position, page.end)
            end = page.end if separator == -1 else separator
            while end - position > MAX_SEGMENT_CHARS:
                cut = _cut_point(text, position, position + MAX_SEGMENT_CHARS)
                yield position, text[position:cut], page.number
                position = cut
            if end > position:
                yield position, text[position:end], page.number
            position = end + 2


def _cut_point(text: str, start: int, limit: int) -> int:
    """The last line break (else whitespace) before `limit`, so no word is cut in two."""
    for match in reversed(list(_BREAK.finditer(text, limit - 2000, limit))):
        if match.end() > start:
            return match.end()
    return limit


def analyze(
    extracted: ExtractedText,
    *,
    deadline: Deadline,
    spacy_models: dict[str, str] | None = None,
    default_language: str | None = None,
) -> Analysis:
    """`default_language`: the language of a text the detector cannot decide."""
    detected = detect_language(extracted.text)
    language = detected or default_language
    nlp = pipeline(language, (spacy_models or {}).get(language or ""))
    stop_words = nlp.Defaults.stop_words
    counts: Counter[str] = Counter()
    sentences: list[Sentence] = []
    blocks = list(segments(extracted))
    texts = (block[1] for block in blocks)
    for index, ((offset, _, page), doc) in enumerate(
        zip(blocks, nlp.pipe(texts, batch_size=64), strict=True)
    ):
        if index % 100 == 0:
            deadline.check()
        for sentence in doc.sents:
            raw = sentence.text
            stripped = raw.strip()
            if stripped:
                start = offset + sentence.start_char + (len(raw) - len(raw.lstrip()))
                sentences.append(Sentence(start, start + len(stripped), page))
        for token in doc:
            lower = token.lower_
            if len(lower) > 2 and lower not in stop_words and _WORD.match(lower):
                counts[token.lemma_.lower() if token.lemma_ else lower] += 1
    return Analysis(
        language=language,
        text_search_config=text_search_config(language),
        sentences=sentences,
        keywords=[word for word, _ in counts.most_common(KEYWORDS)],
        detected=detected is not None,
    )
