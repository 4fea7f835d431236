"""Language, sentences and keywords with spaCy (and py3langid for the language).

A trained spaCy pipeline is used when one is configured and installed for the language;
otherwise a blank pipeline with the rule-based sentencizer, which needs no download.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
import structlog
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from spacy.language import Language

from sift.search.ingestion.extract import Deadline, ExtractedText

log = structlog.get_logger()

# PostgreSQL's text search configurations by ISO 639-1 code; anything else uses 'simple'.
TEXT_SEARCH_CONFIGS: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
FALLBACK_CONFIG = "simple"
LANGUAGE_SAMPLE_CHARS = 20_000
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


# Below this probability the detector is guessing: short titles such as "Heap Merge
# (Algorithm 17)" came out Irish, Latin or Luxembourgish at about 0.05, and a short
# English line at 0.3-0.55, while sentences of 60 letters or more in English, German or
# French score 0.95 and above.
MIN_LANGUAGE_CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """The language of a sample spread over the text; None when the text is too short or
    too mixed for the detector to be sure (the caller's default applies then)."""
    if len(text) > LANGUAGE_SAMPLE_CHARS:
        third = LANGUAGE_SAMPLE_CHARS // 3
        middle = len(text) // 2
        text = text[:third] + " " + text[middle : middle + third] + " " + text[-third:]
    if sum(character.isalpha() for character in text) < 20:
        return None
    language, confidence = _identifier().classify(text)
    return str(language) if confidence >= MIN_LANGUAGE_CONFIDENCE else None


def text_search_config(language: str | None) -> str:
    return TEXT_SEARCH_CONFIGS.get(language or "", FALLBACK_CONFIG)


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
    language = detect_language(extracted.text) or default_language
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
    )
