"""Requests schemathesis generates from the merged OpenAPI, and how one is sent over ASGI.

Generation is separate from sending: Hypothesis runs synchronously, while the service apps
run on the test's event loop (their database connection is bound to it), so the cases of
an operation are drawn first and then sent one by one by the async test.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.schemas import APIOperation

from tests.security.fuzzing import drawn

# Schemathesis imports these when first asked for a schema or a case. Pytest rewrites
# plugin modules (schemathesis and hypothesis are plugins) with `ast.parse`, which in
# CPython 3.11.7 is not thread-safe (gh-106905): a Celery or server thread formatting a
# traceback at that moment made it raise "AST constructor recursion depth mismatch".
# Imported here, at collection, no other thread runs.
for _lazy in (
    "hypothesis.strategies._internal.flatmapped",
    "hypothesis.strategies._internal.random",
    "hypothesis.strategies._internal.regex",
    "schemathesis.generation.body_overrides",
    "schemathesis.generation.dictionaries",
    "schemathesis.generation.jsonschema.builder",
    "schemathesis.specs.openapi._hypothesis",
    "schemathesis.specs.openapi.coverage",
    "schemathesis.specs.openapi.negative",
    "schemathesis.specs.openapi.schemas",
    "schemathesis.specs.openapi.stateful",
    "schemathesis.transport.asgi",
    "schemathesis.transport.requests",
    "schemathesis.transport.wsgi",
):
    importlib.import_module(_lazy)

# Examples per operation and caller. The default is the slice `make test` runs (fixed
# seed); `SIFT_SCHEMATHESIS_EXAMPLES=40` makes the full run (> 10,000 requests) with new
# random data each time.
FULL_RUN_VARIABLE = "SIFT_SCHEMATHESIS_EXAMPLES"
SLICE_EXAMPLES = 4
BASE_URL = "http://testserver"
REQUEST_FIELDS = ("method", "url", "headers", "params", "data", "json", "files", "cookies")


def examples_per_operation() -> int:
    return int(os.environ.get(FULL_RUN_VARIABLE, SLICE_EXAMPLES))


def is_full_run() -> bool:
    return FULL_RUN_VARIABLE in os.environ


# Live feeds answer for as long as the caller's token lives (minutes): over ASGI the test
# client waits for the whole body. Their answers are tested through real uvicorn and
# nginx instead (tests/notifications/test_inapp_stream.py, test_inapp_gateway.py).
LIVE_FEEDS = frozenset({("GET", "/api/notifications/stream")})


def operations(document: dict[str, Any]) -> list[APIOperation]:
    schema = schemathesis.openapi.from_dict(document)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if (op.method.upper(), op.path) not in LIVE_FEEDS]


def draw(operation: APIOperation, ids: dict[str, str], count: int) -> list[Case]:
    """`count` valid cases of `operation`, about half of them naming things that exist,
    and half as many that break its schema (wrong types, missing fields, out of range)."""
    names = {p.name for p in operation.path_parameters}
    known = {name: ids[name] for name in names if name in ids}
    strategy = operation.as_strategy()
    if known:
        strategy = st.one_of(operation.as_strategy(path_parameters=known), strategy)
    cases = drawn(strategy, count, derandomize=not is_full_run())
    invalid = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    with contextlib.suppress(Unsatisfiable):  # nothing to break: no parameters, no body
        cases += drawn(invalid, max(1, count // 2), derandomize=not is_full_run())
    return cases


async def send(client: httpx.AsyncClient, case: Case, headers: dict[str, str]) -> httpx.Response:
    """The request as `requests` would put it on the wire, sent to the app over ASGI."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in REQUEST_FIELDS})
    wire = prepared.prepare()
    assert wire.method is not None and wire.url is not None
    return await client.request(
        wire.method, wire.url, headers=dict(wire.headers), content=wire.body or b""
    )
