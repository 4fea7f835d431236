"""The one base of every service's API schemas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from sift.core.text import UNSTORABLE_MESSAGE, is_storable

Location = tuple[str | int, ...]


class Schema(BaseModel):
    """Built from attributes as well as from JSON; refuses unknown fields and text
    PostgreSQL cannot store.

    An unknown field is a 422 naming it: a misspelt optional field (`colection_ids`)
    silently ignored would answer another question than the client asked. Built from
    attributes (ORM rows), only the declared fields are read, so extra attributes do not
    count; data this service stored earlier in JSON (which an older or newer release may
    have written) is read with `model_validate(data, extra="ignore")`.

    The text check runs on the raw input, before any field, so that it covers every string:
    free-form fields (`dict[str, Any]`), keys, list items and nested objects included.
    """

    model_config = ConfigDict(from_attributes=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_unstorable_text(cls, data: Any) -> Any:
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("unstorable_text", UNSTORABLE_MESSAGE),
                loc=location,
                input=value,
            )
            for location, value in _unstorable(data, ())
        ]
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data

    @classmethod
    def from_row(cls, row: object, /, **values: Any) -> Self:
        """The schema of a row (a table model, or any object with the fields as attributes).

        `values` give what the row does not hold under the field's name (the caller's
        role, a flag computed from the request); every other field is read from the
        attribute of its name, and a field the row lacks takes its default.
        """
        read = {
            name: getattr(row, name)
            for name in cls.model_fields
            if name not in values and hasattr(row, name)
        }
        return cls.model_validate({**read, **values})


def _unstorable(value: Any, location: Location) -> Iterator[tuple[Location, str]]:
    if isinstance(value, str):
        if not is_storable(value):
            yield location, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not is_storable(key):
                yield (*location, key), key
            yield from _unstorable(item, (*location, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _unstorable(item, (*location, index))
