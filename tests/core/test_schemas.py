"""`Schema.from_row`: a response body from a row's attributes and what the row lacks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from sift.core.schemas import Schema


@dataclass
class Row:
    name: str
    role: str  # stored, but not what the caller is shown
    secret: str = "never read"


class RowRead(Schema):
    name: str
    role: str
    current: bool = False


def test_fields_are_read_from_attributes_of_their_name() -> None:
    assert RowRead.from_row(Row(name="a", role="viewer")) == RowRead(name="a", role="viewer")


def test_given_values_replace_or_add_fields() -> None:
    read = RowRead.from_row(Row(name="a", role="viewer"), role="owner", current=True)
    assert read == RowRead(name="a", role="owner", current=True)


def test_a_required_field_the_row_lacks_is_refused() -> None:
    class Wider(RowRead):
        missing: int

    with pytest.raises(ValidationError, match="missing"):
        Wider.from_row(Row(name="a", role="viewer"))


def test_the_text_check_covers_attributes() -> None:
    with pytest.raises(ValidationError, match="unstorable_text"):
        RowRead.from_row(Row(name="a\x00", role="viewer"))
