"""Text from outside: refused when PostgreSQL cannot store it, cleaned when it is a name."""

from __future__ import annotations

import importlib
import types
import typing
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, FastAPI, Form, Path, Query
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, ValidationError

from sift import SERVICES
from sift.core.config import CoreSettings
from sift.core.schemas import Schema
from sift.core.text import DisplayName, StorableText, display_name, is_storable, storable


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "\ud800", "x\udfffy"])
def test_nul_and_lone_surrogates_are_not_storable(text: str) -> None:
    assert not is_storable(text)
    with pytest.raises(ValueError, match="NUL or unpaired surrogate"):
        storable(text)


@pytest.mark.parametrize(
    "text", ["", "plain", "tab\tline\n", "\x01\x7f", "😀 \U0010fffd", "\ufffd"]
)
def test_everything_else_is_storable(text: str) -> None:
    assert storable(text) == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("invoice_\u202efdp.exe", "invoice_fdp.exe"),  # RIGHT-TO-LEFT OVERRIDE
        ("\u2066Q3\u2069 \u200freport\u200e", "Q3 report"),  # isolates and marks
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("  two\t\tlines\nof  text ", "two lines of text"),
        ("Cafe\u0301", "Café"),  # NFC
        ("private\ue000use", "privateuse"),
        ("Ünïcödé names — fine 👍", "Ünïcödé names — fine 👍"),
        ("\u202e\u200b ", ""),
    ],
)
def test_a_display_name_keeps_only_what_is_seen(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


def test_a_display_name_is_storable_and_never_blank() -> None:
    names = TypeAdapter(DisplayName)
    assert names.validate_python(" Q3\u202e report ") == "Q3 report"
    with pytest.raises(ValidationError, match="must not be blank"):
        names.validate_python("\u202e \u200b")
    with pytest.raises(ValidationError, match="NUL"):
        names.validate_python("a\x00b")  # refused, not quietly dropped
    with pytest.raises(ValidationError, match="at most 1000 characters"):
        names.validate_python("\u202e" * 1001)  # refused before any work on it


class Inner(Schema):
    name: str


class Outer(Schema):
    title: str
    inner: Inner | None = None
    items: list[Inner] = []
    extra: dict[str, Any] = {}


def test_the_core_schema_refuses_unstorable_text_anywhere_with_its_location() -> None:
    with pytest.raises(ValidationError) as refused:
        Outer.model_validate(
            {
                "title": "a\x00",
                "inner": {"name": "\ud800"},
                "items": [{"name": "ok"}, {"name": "b\x00"}],
                "extra": {"free": ["x", {"deep": "\x00"}], "k\x00": 1},
            }
        )
    errors = refused.value.errors()
    assert [error["loc"] for error in errors] == [
        ("title",),
        ("inner", "name"),
        ("items", 1, "name"),
        ("extra", "free", 1, "deep"),
        ("extra", "k\x00"),
    ]
    assert {error["type"] for error in errors} == {"unstorable_text"}


def test_the_core_schema_still_reads_attributes() -> None:
    row = types.SimpleNamespace(title="t", inner=None, items=[], extra={})
    assert Outer.model_validate(row).title == "t"


# --- every text input of every route is checked ---


def _fields(dependant: Dependant) -> Iterator[tuple[str, Any, tuple[Any, ...]]]:
    for field in (
        *dependant.path_params,
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
        *dependant.body_params,
    ):
        yield field.name, field.field_info.annotation, tuple(field.field_info.metadata)
    for sub in dependant.dependencies:
        yield from _fields(sub)


def _unchecked_text(annotation: Any, metadata: tuple[Any, ...] = ()) -> bool:
    """True when the annotation lets a `str` through without `storable`, or a request body
    that is not a core Schema."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *more = typing.get_args(annotation)
        return _unchecked_text(inner, (*metadata, *more))
    if origin in (typing.Union, types.UnionType):
        return any(_unchecked_text(arg, metadata) for arg in typing.get_args(annotation))
    if origin in (list, set, tuple):
        return any(_unchecked_text(arg) for arg in typing.get_args(annotation))
    if annotation is str:
        return not any(
            isinstance(item, AfterValidator) and item.func is storable for item in metadata
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return not issubclass(annotation, Schema)
    return False


def unchecked_text_inputs(app: FastAPI) -> list[str]:
    found = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        for name, annotation, metadata in _fields(route.dependant):
            if _unchecked_text(annotation, metadata):
                found.extend(f"{method} {route.path} {name}" for method in sorted(route.methods))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_text_input_of_every_route_is_checked(
    service: str, base_settings: CoreSettings
) -> None:
    app = importlib.import_module(f"sift.{service}.app").create_app(base_settings)
    assert unchecked_text_inputs(app) == []


class Loose(BaseModel):
    name: str


class Checked(Schema):
    name: str = Field(max_length=5)


def test_the_walker_finds_unchecked_text() -> None:
    router = APIRouter()

    @router.get("/loose")
    async def loose(q: str | None = Query(default=None), limit: int = 1) -> None: ...

    @router.get("/checked/{key}")
    async def checked(
        key: StorableText, tags: Annotated[list[StorableText] | None, Query()] = None
    ) -> None: ...

    @router.get("/lost/{key}")
    async def lost(key: StorableText = Path(min_length=2)) -> None: ...

    @router.post("/bodies")
    async def bodies(body: Loose) -> None: ...

    @router.post("/good-body")
    async def good_body(body: Checked) -> None: ...

    @router.post("/form")
    async def form(
        title: Annotated[DisplayName | None, Form()] = None,
        tags: Annotated[list[str] | None, Form()] = None,
        ref: Annotated[uuid.UUID | None, Form()] = None,
    ) -> None: ...

    app = FastAPI()
    app.include_router(router)
    # `StorableText = Path(...)`: FastAPI drops the type's validator; Annotated[...] keeps it.
    assert unchecked_text_inputs(app) == [
        "GET /loose q",
        "GET /lost/{key} key",
        "POST /bodies body",
        "POST /form tags",
    ]
