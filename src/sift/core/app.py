"""The app factory every service uses: same middleware, errors, health and metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from sift.core.backlog_metrics import BacklogGauges
from sift.core.config import CoreSettings, Environment, get_settings
from sift.core.db import Database
from sift.core.errors import PROBLEM_JSON, install_error_handlers, problem
from sift.core.events.origin import RequestOriginMiddleware
from sift.core.logging import configure_logging
from sift.core.metrics import HttpMetrics, MetricsMiddleware, metrics_endpoint
from sift.core.middleware import (
    BodySizeLimitMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
    UnexpectedErrorMiddleware,
)
from sift.core.overload import install_overload
from sift.core.redis import create_redis
from sift.core.sentry import init_sentry
from sift.core.tracing import instrument_app

log = structlog.get_logger()

ReadyCheck = Callable[[FastAPI], Awaitable[None]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
READY_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    status: str
    service: str


class Readiness(BaseModel):
    status: str
    service: str
    checks: dict[str, str]


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def _operation_id(route: APIRoute) -> str:
    # "documents_list" reads well in the generated TypeScript client.
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}_{route.name}".replace("-", "_")


async def check_database(app: FastAPI) -> None:
    await app.state.database.ping()


async def check_redis(app: FastAPI) -> None:
    await app.state.redis.ping()


def create_service_app(
    name: str,
    *,
    routers: Sequence[APIRouter] = (),
    settings: CoreSettings | None = None,
    max_body_bytes: int | None = None,
    extra_ready_checks: dict[str, ReadyCheck] | None = None,
    lifespan: Lifespan | None = None,
    description: str = "",
    long_lived_paths: Sequence[str] = (),
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(service=name, level=settings.log_level, json=settings.log_json)
    init_sentry(settings, service=name)  # before the routes: the SDK wraps their handlers
    ready_checks: dict[str, ReadyCheck] = {
        "database": check_database,
        "redis": check_redis,
        **(extra_ready_checks or {}),
    }

    @asynccontextmanager
    async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = Database(
            settings.sqlalchemy_url,
            pool_size=settings.db_pool_size,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            pool_timeout_seconds=settings.overload.db_pool_timeout_seconds,
        )
        app.state.redis = create_redis(settings)
        log.info("service.started", service=name)
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan(app):
                    yield
        finally:
            await app.state.redis.aclose()
            await app.state.database.dispose()
            log.info("service.stopped", service=name)

    prefix = f"/api/{name}"
    app = FastAPI(
        title=f"Sift {name}",
        description=description,
        version="0.1.0",
        lifespan=_lifespan,
        openapi_url=f"{prefix}/openapi.json",
        # FastAPI's own page loads Swagger UI from a CDN: offline and under the gateway's
        # CSP it would be blank, so the service's page is the gateway's, preselected.
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.service_name = name
    app.state.metrics = HttpMetrics(name)
    app.state.metrics.hooks.append(BacklogGauges(name, app.state.metrics.registry).refresh)
    install_error_handlers(app)

    async def docs(request: Request) -> RedirectResponse:
        return RedirectResponse(f"/api/docs/?urls.primaryName={name}")

    # A plain route, as FastAPI's own docs page is: static, public, outside the API.
    app.add_route(f"{prefix}/docs", docs, include_in_schema=False)

    @app.get(f"{prefix}/healthz", tags=["health"], response_model=Health)
    async def healthz() -> Health:
        """Liveness: the process answers."""
        return Health(status="ok", service=name)

    @app.get(
        f"{prefix}/readyz",
        tags=["health"],
        response_model=Readiness,
        responses={503: {"description": "A dependency does not answer"}},
    )
    async def readyz() -> Readiness | JSONResponse:
        """Readiness: every dependency (database, Redis, ...) answers."""
        results = await asyncio.gather(*(_run_check(app, check) for check in ready_checks.values()))
        checks = dict(zip(ready_checks, results, strict=True))
        failing = [dep for dep, result in checks.items() if result != "ok"]
        if failing:
            return problem(
                503,
                "Service unavailable",
                f"Dependency not ready: {', '.join(failing)}",
                code="not-ready",
                checks=checks,
                failing=failing,
            )
        return Readiness(status="ok", service=name, checks=checks)

    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    for router in routers:
        app.include_router(router)

    # Starlette wraps in reverse order: the request ID is set first, metrics see everything
    # (the 500 of an unexpected error too, with the headers every answer carries).
    app.add_middleware(UnexpectedErrorMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes or settings.max_body_bytes)
    install_overload(app, settings.overload, long_lived_paths=long_lived_paths)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.env is not Environment.test)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(RequestOriginMiddleware)  # inside RequestId: it reads the request's ID
    app.add_middleware(RequestIdMiddleware)
    instrument_app(app, name)  # outermost, when SIFT_TRACING_ENABLED: a span per request
    _document_problems(app)
    return app


async def _run_check(app: FastAPI, check: ReadyCheck) -> str:
    try:
        await asyncio.wait_for(check(app), timeout=READY_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "not ready"
        return f"error: {type(exc).__name__}"
    return "ok"


def _document_problems(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                _document_common_problems(operation)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# FastAPI names a security scheme after its class: `Authorize(...)`'s `HTTPBearer`.
BEARER_SCHEME = "HTTPBearer"


def _document_common_problems(operation: dict[str, Any]) -> None:
    """The problems no endpoint declares itself: a caller without a valid token (401) or
    without the permission (403), a body that cannot be parsed (400), and invalid input,
    which the handler answers as a problem (FastAPI documents its own JSON shape instead)."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    schemes = {name for requirement in operation.get("security", ()) for name in requirement}
    if schemes:
        responses.setdefault("401", _problem_response("Authentication required"))
    if BEARER_SCHEME in schemes:  # `Authorize(...)`, which also checks a permission
        responses.setdefault("403", _problem_response("Forbidden"))
    if "requestBody" in operation:  # a body that cannot be read at all (not UTF-8, say)
        responses.setdefault("400", _problem_response("Bad request"))
    if "422" in responses:
        responses["422"] = _problem_response("Validation failed")


def _problem_response(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}
