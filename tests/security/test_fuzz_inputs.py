"""Property-based fuzzing of the parsers of untrusted text: the search query parser, the
cursor decoder and the upload filename sanitizer. Whatever a caller sends, each answers
in bounded time with a value of its contract or its typed error (400 `invalid-cursor`)."""

from __future__ import annotations

import base64
import contextlib
import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sift.core.pagination import (
    InvalidCursor,
    cursor_time,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
)
from sift.core.text import display_name
from sift.documents.documents.filenames import FALLBACK_NAME, content_disposition, sanitize_filename
from sift.documents.models import FILENAME_LENGTH
from sift.search.retrieval.cursor import CursorCodec
from sift.search.retrieval.cursor import InvalidCursor as InvalidSearchCursor
from sift.search.retrieval.query import parse_query
from tests.security.fuzzing import QUERIES, fuzz_settings

B64_ALPHABET = string.ascii_letters + string.digits + "-_=+/"


@fuzz_settings(400)
@given(QUERIES)
def test_a_query_always_parses_into_plain_positive_terms(text: str) -> None:
    parsed = parse_query(text)
    assert parsed.text == " ".join(text.split())
    assert parsed.positive == " ".join(parsed.positive.split())
    assert parse_query(parsed.text) == parsed
    if not parsed.explicit:
        assert parsed.positive == parsed.text
        return
    # Ranked are words the user typed, without the quotes of phrases.
    assert '"' not in parsed.positive
    assert all(word in parsed.text for word in parsed.positive.split())


def cursors() -> st.SearchStrategy[str]:
    """Text, base64 of arbitrary bytes, and base64 of JSON of any shape."""
    encoded_json = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=8,
    ).map(lambda value: base64.urlsafe_b64encode(json.dumps(value).encode()).decode())
    raw = st.binary(max_size=200).map(lambda data: base64.urlsafe_b64encode(data).decode())
    return st.one_of(st.text(max_size=200), st.text(B64_ALPHABET, max_size=200), raw, encoded_json)


@fuzz_settings(600)
@given(cursors(), st.integers(min_value=1, max_value=3))
def test_any_cursor_decodes_to_its_values_or_is_refused_as_invalid(cursor: str, size: int) -> None:
    try:
        values = decode_cursor(cursor, size)
    except InvalidCursor as refused:
        assert refused.status_code == 400
        return
    if not cursor:
        assert values is None
        return
    assert values is not None and len(values) == size
    assert all(isinstance(value, str) for value in values)
    for value in values:
        for parse in (cursor_uuid, cursor_time):
            with contextlib.suppress(InvalidCursor):  # a value of another type
                parse(value)


@fuzz_settings(200)
@given(st.lists(st.text(max_size=50), min_size=1, max_size=3))
def test_an_encoded_cursor_decodes_to_the_same_values(values: list[str]) -> None:
    assert decode_cursor(encode_cursor(*values), len(values)) == values


SEARCH_CURSORS = CursorCodec(b"fuzzing secret")
DIGEST = "digest-of-this-search"


def signed(value: object) -> str:
    """A cursor of any JSON, signed with the right key (only its search digest is wrong)."""
    payload = json.dumps(value).encode()
    b64 = base64.urlsafe_b64encode
    return f"{b64(payload).decode()}.{b64(SEARCH_CURSORS._sign(payload)).decode()}"


@fuzz_settings(600)
@given(
    st.one_of(
        cursors(),
        st.tuples(cursors(), cursors()).map(".".join),
        # Validly signed payloads of any JSON: the signature is not all that is checked.
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
            lambda inner: st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(["o", "s", "x"]), inner, max_size=3),
            max_leaves=6,
        ).map(signed),
    )
)
def test_a_forged_or_foreign_search_cursor_is_refused(cursor: str) -> None:
    if not cursor:
        assert SEARCH_CURSORS.decode(cursor, DIGEST) == 0
        return
    with pytest.raises(InvalidSearchCursor):
        SEARCH_CURSORS.decode(cursor, DIGEST)


def test_a_search_cursor_of_this_search_gives_its_offset_back() -> None:
    assert SEARCH_CURSORS.decode(SEARCH_CURSORS.encode(40, DIGEST), DIGEST) == 40
    assert SEARCH_CURSORS.decode(signed({"o": 40, "s": DIGEST}), DIGEST) == 40
    with pytest.raises(InvalidSearchCursor):
        SEARCH_CURSORS.decode(signed({"o": -1, "s": DIGEST}), DIGEST)


PATHLIKE = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(["/", "\\", "..", ".", " ", "\u202e", "\x00"])),
    max_size=30,
).map("".join)


@fuzz_settings(600)
@given(st.one_of(st.none(), PATHLIKE, st.text(min_size=FILENAME_LENGTH, max_size=600)))
def test_a_filename_is_always_one_safe_segment_of_bounded_length(raw: str | None) -> None:
    name = sanitize_filename(raw)
    assert 0 < len(name) <= FILENAME_LENGTH
    assert "/" not in name and "\\" not in name
    assert name not in (".", "..") and name == name.strip(" .")
    assert name == FALLBACK_NAME or display_name(name) == name  # no control or bidi tricks
    assert sanitize_filename(name) == name
    header = content_disposition(raw or "")
    header.encode("latin-1")  # a header value HTTP can carry; raises if not
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="') and header.count('"') == 2
