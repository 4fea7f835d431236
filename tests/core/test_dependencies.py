"""Every endpoint and dependency of the request-serving services runs on the event loop.

FastAPI runs a plain `def` endpoint or dependency in a worker thread: a thread hop (two
context switches and a wake-up of the loop) per request for what is usually a lookup on
`app.state`. Profiles of the load test showed those hops among the larger costs.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from sift.core.config import CoreSettings

# The services the API's hot paths go through (notifications and audit are not checked).
SERVICES = ("identity", "documents", "search", "assistant")


def _runs_on_the_loop(call: Callable[..., Any]) -> bool:
    function = call if inspect.isroutine(call) else type(call).__call__
    return inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)


def _threaded(dependant: Dependant) -> Iterator[str]:
    for dependency in dependant.dependencies:
        if dependency.call is not None and not _runs_on_the_loop(dependency.call):
            call = dependency.call
            yield getattr(call, "__qualname__", None) or type(call).__call__.__qualname__
        yield from _threaded(dependency)


def threaded_calls(app: FastAPI) -> dict[str, set[str]]:
    """Each route ("METHOD /path") with the endpoint or dependencies FastAPI would thread."""
    found: dict[str, set[str]] = {}
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if not isinstance(original, APIRoute):
            continue
        calls = set(_threaded(route.dependant))
        if not _runs_on_the_loop(original.endpoint):
            calls.add(original.endpoint.__qualname__)
        if calls:
            found[f"{','.join(sorted(original.methods))} {route.path}"] = calls
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_no_endpoint_or_dependency_runs_in_a_thread(
    service: str, base_settings: CoreSettings
) -> None:
    app = importlib.import_module(f"sift.{service}.app").create_app(base_settings)
    assert threaded_calls(app) == {}


def test_a_plain_function_dependency_is_found() -> None:
    def plain() -> int:
        return 1

    async def coroutine() -> int:
        return 1

    class Callable_:
        def __call__(self) -> int:
            return 1

    app = FastAPI()

    @app.get("/a")
    async def a(x: int = Depends(plain), y: int = Depends(coroutine)) -> None: ...

    @app.get("/b")
    def b(z: int = Depends(Callable_())) -> None: ...

    assert threaded_calls(app) == {
        "GET /a": {plain.__qualname__},
        "GET /b": {Callable_.__call__.__qualname__, b.__qualname__},
    }
