"""Test helpers: prove that every route of an app declares its permission."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts

from sift.core.auth.dependencies import Authorize, Public


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def route_declarations(app: FastAPI) -> dict[str, list[Authorize | Public]]:
    """Each route ("METHOD /path") with the Authorize / Public dependencies it declares."""
    found: dict[str, list[Authorize | Public]] = {}
    # Route contexts: the routes as served, with the prefixes and dependencies of the
    # routers they were included through.
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if not isinstance(original, APIRoute | APIWebSocketRoute):
            continue
        calls = _calls(route.dependant)
        declared = [call for call in calls if isinstance(call, Authorize | Public)]
        methods = sorted(route.methods or ()) if isinstance(original, APIRoute) else ["WEBSOCKET"]
        for method in methods:
            found[f"{method} {route.path}"] = declared
    return found


def assert_every_route_declares_permission(app: FastAPI, *, public: Iterable[str] = ()) -> None:
    """Fails on a route without `Authorize(...)` unless listed in `public` ("GET /path").

    A listed route must exist and must not also demand a permission; a route marked
    `Public(...)` must be listed, so that making a route public takes two deliberate edits.
    """
    listed = set(public)
    routes = route_declarations(app)
    problems: list[str] = []
    for route, declared in sorted(routes.items()):
        authorize = [d for d in declared if isinstance(d, Authorize)]
        marked_public = any(isinstance(d, Public) for d in declared)
        if authorize and marked_public:
            problems.append(f"{route} is marked Public(...) but also requires {authorize}")
        elif route in listed:
            if authorize:
                problems.append(f"{route} is listed public but requires {authorize}")
        elif marked_public:
            problems.append(f"{route} is marked Public(...) but not listed as public")
        elif not authorize:
            problems.append(f"{route} declares no permission (Authorize) and is not public")
    missing = sorted(listed - set(routes))
    problems.extend(f"{route} is listed public but does not exist" for route in missing)
    assert not problems, "Routes without a declared permission:\n  " + "\n  ".join(problems)
