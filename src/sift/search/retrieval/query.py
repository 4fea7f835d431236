"""What a query string asks for: a natural question or explicit web-search syntax.

A natural question ("what lowers blood pressure in adults") must not require every term:
its lexemes are OR-ed and BM25 ranks the candidates. Explicit syntax, as
`websearch_to_tsquery` reads it ("quoted phrases", `OR`, `-exclusion`), is a filter that
must hold: matches are restricted by it, and still ranked by BM25 over the positive terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A quote, an upper-case OR between words, or a minus that starts a word (not "covid-19").
# A lower-case "or" is a word of a natural question ("tea or coffee?"), not an operator.
_SYNTAX = re.compile(r'"|(?:^|\s)OR(?:\s|$)|(?:^|\s)-["\w]')
# Excluded words and phrases, which never contribute lexemes to the ranking.
_EXCLUDED = re.compile(r'(?:^|(?<=\s))-(?:"[^"]*"?|\S+)')
_OR = re.compile(r"(?:^|(?<=\s))or(?=\s|$)", re.IGNORECASE)

MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # as the user typed it (trimmed)
    explicit: bool  # web-search syntax: websearch_to_tsquery must match
    positive: str  # the text whose lexemes are ranked (exclusions and operators removed)


def parse_query(text: str) -> ParsedQuery:
    text = " ".join(text.split())
    explicit = bool(_SYNTAX.search(text))
    if not explicit:
        return ParsedQuery(text=text, explicit=False, positive=text)
    positive = _EXCLUDED.sub(" ", text)
    positive = _OR.sub(" ", positive).replace('"', " ")
    return ParsedQuery(text=text, explicit=True, positive=" ".join(positive.split()))


def tsquery_literal(lexemes: list[str]) -> str | None:
    """An OR tsquery of already-normalized lexemes (cast with ::tsquery, not re-parsed)."""
    if not lexemes:
        return None
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return " | ".join(quoted)
