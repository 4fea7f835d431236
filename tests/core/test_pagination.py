"""Cursors: what a page hands out reads back; anything else is a 400, never a 500."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from sift.core.pagination import (
    InvalidCursor,
    cursor_time,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
    page_of,
)


def test_a_cursor_reads_back_its_sort_key() -> None:
    moment, item_id = datetime(2026, 12, 4, 3, 0, tzinfo=UTC), uuid.uuid4()
    values = decode_cursor(encode_cursor(moment, item_id), 2)
    assert values is not None
    assert (cursor_time(values[0]), cursor_uuid(values[1])) == (moment, item_id)
    assert decode_cursor(None, 2) is None
    assert decode_cursor("", 1) is None


@pytest.mark.parametrize(
    "cursor",
    ["not base64 !", encode_cursor("a"), "bnVsbA", "WzFd"],  # garbage, too short, null, [1]
)
def test_a_foreign_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, 2 if cursor == encode_cursor("a") else 1)


@pytest.mark.parametrize("value", ["yesterday", "2026-12-04T03:00:00"])  # not a time, naive
def test_a_cursor_time_must_be_an_aware_time(value: str) -> None:
    with pytest.raises(InvalidCursor):
        cursor_time(value)


def test_a_cursor_uuid_must_be_a_uuid() -> None:
    with pytest.raises(InvalidCursor):
        cursor_uuid("42")


def test_a_page_has_a_next_cursor_only_when_one_more_row_came() -> None:
    rows = [(n, f"row {n}") for n in range(4)]
    items, cursor = page_of(rows, 3, lambda row: (row[0],))
    assert items == rows[:3]
    assert cursor is not None and decode_cursor(cursor, 1) == ["2"]  # the last item shown
    assert page_of(rows[:3], 3, lambda row: (row[0],)) == (rows[:3], None)
    assert page_of([], 3, lambda row: (row,)) == ([], None)
