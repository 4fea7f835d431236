"""PII redaction on ingest: a collection's `redact_pii` setting.

Before a version's text is analysed and chunked, each e-mail address, phone number, IBAN,
payment card number and IP address in it (and each person's name, when a spaCy NER model
is configured and installed) is replaced by a typed placeholder such as `[email]`. The
chunks, their full-text index, their vectors, the stored pages and so the snippets hold
only the placeholder; the original file stays in storage untouched.

Look-alikes are checked, not just matched: an IBAN must pass its mod-97 checksum, a card
number the Luhn checksum, an IP address `ipaddress`, a phone number `phonenumbers`.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import phonenumbers
import spacy
import structlog
from spacy.language import Language

from sift.search.ingestion.extract import ExtractedText
from sift.search.ingestion.extract.base import Heading, PageSpan

log = structlog.get_logger()

KINDS = ("email", "iban", "card", "ip", "phone", "person")  # earlier kinds win overlaps

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,63}(?![\w-])"
)
# Two letters, two check digits, then groups of letters and digits, spaced or not.
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![\w])")
_IBAN_GROUP = re.compile(r" ?[A-Z0-9]{1,4}$")
# 13 to 19 digits, unbroken or in the groups cards print (4-4-4-4[-3], 4-6-5).
_CARD = re.compile(
    r"(?<![\w.,-])(?:\d{13,19}|\d{4}(?:([ -])\d{4}){2}(?:\1\d{4})?(?:\1\d{1,3})?"
    r"|\d{4}([ -])\d{6}\2\d{4,5})(?![\w]|[.,-]\d)"
)
_IBAN_HEAD = re.compile(r"[A-Z]{2}\d{2} ?$")  # digits after it are an (invalid) IBAN's
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(
    r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?![\w:])"
)
_PERSON_LABELS = frozenset({"PERSON", "PER"})
NER_SEGMENT_CHARS = 100_000  # spaCy reads a text in pieces this long at most


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str

    @property
    def placeholder(self) -> str:
        return f"[{self.kind}]"


def iban_valid(candidate: str) -> bool:
    """ISO 13616: 15 to 34 characters whose rearranged number is 1 modulo 97."""
    iban = candidate.replace(" ", "")
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        yield Finding(match.start(), match.end(), "email")


def _ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN.finditer(text):
        candidate = match.group()
        # The pattern is greedy: a word after the IBAN may have been taken as a last group.
        while len(candidate.replace(" ", "")) >= 15:
            if iban_valid(candidate):
                yield Finding(match.start(), match.start() + len(candidate), "iban")
                break
            candidate = _IBAN_GROUP.sub("", candidate)


def _cards(text: str) -> Iterator[Finding]:
    for match in _CARD.finditer(text):
        if _IBAN_HEAD.search(text, max(0, match.start() - 5), match.start()):
            continue
        if luhn_valid(re.sub(r"[ -]", "", match.group())):
            yield Finding(match.start(), match.end(), "card")


def _ips(text: str) -> Iterator[Finding]:
    for pattern in (_IPV6, _IPV4):  # an IPv6 address may end in an IPv4 one
        for match in pattern.finditer(text):
            candidate = match.group()
            if pattern is _IPV6 and not re.search(r"\d", candidate):
                continue  # "::" alone, or words of hex letters ("add::bed")
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                continue
            yield Finding(match.start(), match.end(), "ip")


def _phones(region: str | None) -> Callable[[str], Iterator[Finding]]:
    def find(text: str) -> Iterator[Finding]:
        # Without a region only numbers in international form (+44 ...) are found.
        matcher = phonenumbers.PhoneNumberMatcher(
            text, region or "ZZ", leniency=phonenumbers.Leniency.VALID
        )
        for match in matcher:
            yield Finding(match.start, match.end, "phone")

    return find


@lru_cache(maxsize=4)
def _ner(model: str) -> Language | None:
    """The model's pipeline (a package name or a path) when it is installed and recognizes
    entities, else None: names are then left as they are."""
    try:
        nlp = spacy.load(model)
    except (ImportError, OSError):
        log.warning("ingest.redaction_ner_missing", model=model)
        return None
    if not nlp.has_pipe("ner"):
        log.warning("ingest.redaction_ner_missing", model=model)
        return None
    return nlp


def _persons(model: str | None) -> Callable[[str], Iterator[Finding]]:
    def find(text: str) -> Iterator[Finding]:
        nlp = _ner(model) if model else None
        if nlp is None:
            return
        # A name cut by a piece's end may be missed.
        starts = range(0, len(text), NER_SEGMENT_CHARS)
        pieces = (text[start : start + NER_SEGMENT_CHARS] for start in starts)
        for start, doc in zip(starts, nlp.pipe(pieces), strict=True):
            for entity in doc.ents:
                if entity.label_ in _PERSON_LABELS:
                    yield Finding(start + entity.start_char, start + entity.end_char, "person")

    return find


def find_pii(
    text: str, *, phone_region: str | None = None, ner_model: str | None = None
) -> list[Finding]:
    """What to redact in `text`, in order, without overlaps (the earlier kind wins)."""
    detectors = (_emails, _ibans, _cards, _ips, _phones(phone_region), _persons(ner_model))
    kept: list[Finding] = []
    for detector in detectors:
        for finding in detector(text):
            if not any(finding.start < k.end and k.start < finding.end for k in kept):
                kept.append(finding)
    return sorted(kept, key=lambda finding: finding.start)


@dataclass(frozen=True)
class Redaction:
    text: str
    counts: dict[str, int]
    # (start in the original, its end, the change in length before it, and after it)
    _edits: tuple[tuple[int, int, int, int], ...] = ()

    def offset(self, original: int) -> int:
        """Where an offset of the original text lies in the redacted one (an offset inside
        a redacted span moves to the placeholder's end)."""
        index = bisect.bisect_right([edit[0] for edit in self._edits], original) - 1
        if index < 0:
            return original
        start, end, before, after = self._edits[index]
        if original == start:
            return original + before
        if original < end:
            return end + after
        return original + after


def redact_text(
    text: str, *, phone_region: str | None = None, ner_model: str | None = None
) -> Redaction:
    findings = find_pii(text, phone_region=phone_region, ner_model=ner_model)
    parts: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    cursor = shift = 0
    for finding in findings:
        parts += [text[cursor : finding.start], finding.placeholder]
        before = shift
        shift += len(finding.placeholder) - (finding.end - finding.start)
        edits.append((finding.start, finding.end, before, shift))
        cursor = finding.end
    parts.append(text[cursor:])
    counts = Counter(finding.kind for finding in findings)
    return Redaction("".join(parts), dict(sorted(counts.items())), tuple(edits))


def redact_extracted(
    extracted: ExtractedText, *, phone_region: str | None = None, ner_model: str | None = None
) -> tuple[ExtractedText, dict[str, int]]:
    """The text with its PII replaced, its page and heading offsets moved to match, and how
    many of each kind were replaced (in headings too)."""
    done = redact_text(extracted.text, phone_region=phone_region, ner_model=ner_model)
    pages = [PageSpan(p.number, done.offset(p.start), done.offset(p.end)) for p in extracted.pages]
    # A heading's title is its text (so its PII was counted there).
    headings = [
        Heading(h.level, start, end, done.text[start:end][:500] if end > start else h.title)
        for h in extracted.headings
        for start, end in [(done.offset(h.start), done.offset(h.end))]
    ]
    return replace(extracted, text=done.text, pages=pages, headings=headings), done.counts
