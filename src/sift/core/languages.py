"""The languages Sift indexes with their own stemming and stop words.

PostgreSQL's text search configuration of each language by its ISO 639-1 code. A document
or a collection may be given one of these languages (documents service); search indexes a
text in its configuration, and in `simple` (no stemming, no stop words) any other.
"""

from __future__ import annotations

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

LANGUAGE_CODES = tuple(sorted(TEXT_SEARCH_CONFIGS))


def language_code(value: str | None) -> str | None:
    """A language a document or a collection may be given (a 422 for any other code)."""
    if value is not None and value not in TEXT_SEARCH_CONFIGS:
        raise ValueError("language must be one of " + ", ".join(LANGUAGE_CODES))
    return value
