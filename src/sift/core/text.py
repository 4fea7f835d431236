"""Rules for text from outside: what PostgreSQL can store, and what a displayed name may hold.

Every string input is checked with `storable` (request bodies through the core `Schema`,
parameters through the `StorableText` type). Names that people see beside other people's
(titles, collection, organization, profile, API key and saved search names, file names)
also go through `display_name`, so that a right-to-left override cannot make
`invoice_fdp.exe` read as `invoice_exe.pdf`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# PostgreSQL text cannot hold NUL, and UTF-8 cannot encode a lone surrogate half.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "must not contain NUL or unpaired surrogate characters"
# Longer than any display name. A field's own `max_length` is checked before cleaning,
# except on an optional field (`DisplayName | None`), where pydantic checks it on what is
# kept: beyond this, input is refused before the work of cleaning it.
LONGEST_DISPLAY_NAME = 1000


def is_storable(value: str) -> bool:
    return _UNSTORABLE.search(value) is None


def storable(value: str) -> str:
    if not is_storable(value):
        raise ValueError(UNSTORABLE_MESSAGE)
    return value


def display_name(value: str) -> str:
    """NFC, without control, format (bidi overrides, zero-width), private-use or unassigned
    characters, any run of white space one plain space, trimmed. May be empty."""
    name = "".join(_visible(char) for char in unicodedata.normalize("NFC", value))
    return " ".join(name.split())


def _visible(char: str) -> str:
    if char.isspace():
        return " "  # tabs, line breaks and exotic spaces become one plain space
    return "" if unicodedata.category(char)[0] == "C" else char


def _named(value: str) -> str:
    if len(value) > LONGEST_DISPLAY_NAME:
        raise ValueError(f"must have at most {LONGEST_DISPLAY_NAME} characters")
    name = display_name(value)
    if not name:
        raise ValueError("must not be blank")
    return name


# A query, path, cookie or form parameter (request bodies are checked by the core Schema).
StorableText = Annotated[str, AfterValidator(storable)]
# A name shown to people: storable, then cleaned by `display_name`, never blank.
DisplayName = Annotated[str, AfterValidator(storable), AfterValidator(_named)]
