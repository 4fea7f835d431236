"""The language of a text, and the text search configuration it is indexed or queried in.

py3langid alone (no spaCy), so that the search API can tell a long query's language.
"""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from sift.core.languages import TEXT_SEARCH_CONFIGS

FALLBACK_CONFIG = "simple"  # any language without its own configuration
LANGUAGE_SAMPLE_CHARS = 20_000
MIN_LANGUAGE_LETTERS = 20

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
    if not _has_letters(text, MIN_LANGUAGE_LETTERS):
        return None
    language, confidence = _identifier().classify(text)
    return str(language) if confidence >= MIN_LANGUAGE_CONFIDENCE else None


def _has_letters(text: str, wanted: int) -> bool:
    """At least `wanted` letters; stops counting there (a text's letters come early)."""
    for character in text:
        if character.isalpha():
            wanted -= 1
            if wanted <= 0:
                return True
    return wanted <= 0


def text_search_config(language: str | None) -> str:
    return TEXT_SEARCH_CONFIGS.get(language or "", FALLBACK_CONFIG)
