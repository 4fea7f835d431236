"""Graceful overload: what a process cannot serve at its normal latency it refuses at once.

Two bounds, both answered with a 503 problem and `Retry-After`:

- in-flight requests per process (`ConcurrencyLimitMiddleware`): past the limit, a
  request is refused before any work, instead of queueing behind the others in the
  event loop, where every caller's latency would grow to seconds;
- the wait for a database connection (`pool_timeout`): a request that cannot get one
  in time is refused (`PoolTimeout`) instead of failing as a 500.

A request whose pooled connection turns out dead (the pool does not ping before each
use) gets the same 503, and its retry a fresh connection; so does one whose statement the
server cancelled at `statement_timeout` (seen under overload as a 500 before).

Health and metrics paths are never refused: an overloaded process is alive, and its
metrics are how anyone sees the overload.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyPoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from sift.core.config import OverloadSettings
from sift.core.errors import problem

log = structlog.get_logger()

EXEMPT_SUFFIXES = ("/healthz", "/readyz", "/metrics")
# PostgreSQL's SQLSTATE for a statement cancelled (`statement_timeout`, a cancel request).
QUERY_CANCELED = "57014"


def overloaded(retry_after: int, detail: str, request: Request | None = None) -> JSONResponse:
    return problem(
        503,
        "Service overloaded",
        detail,
        code="overloaded",
        request=request,
        headers={"Retry-After": str(retry_after)},
    )


class ConcurrencyLimitMiddleware:
    """Refuses HTTP requests beyond `max_requests` in flight in this process.

    A plain counter is enough: one event loop per process, and the check and the
    increment happen with no `await` between them.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_requests: int,
        retry_after: int,
        long_lived_paths: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.max_requests = max_requests
        self.retry_after = retry_after
        # Streams that stay open and mostly idle (a live feed): each would hold a slot for
        # as long as its client listens and cap a replica's listeners at `max_requests`.
        # uvicorn's `limit_concurrency` still bounds them.
        self.long_lived_paths = frozenset(long_lived_paths)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"].endswith(EXEMPT_SUFFIXES)
            or scope["path"] in self.long_lived_paths
        ):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_requests:
            log.warning("overload.refused", in_flight=self.in_flight, path=scope["path"])
            detail = "Too many requests in progress; retry shortly."
            await overloaded(self.retry_after, detail, Request(scope))(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


async def _pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    settings: OverloadSettings = request.app.state.settings.overload
    log.warning("overload.db_pool_timeout", path=request.url.path)
    detail = "No database connection was free in time; retry shortly."
    return overloaded(settings.retry_after_seconds, detail, request)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A pooled connection the server had closed (a restart, a failover): the pool is
    already renewed, so the caller may retry at once. A statement the server cancelled at
    `statement_timeout` (an overloaded database, a lock held too long) is a 503 to retry
    later too. Any other database error stays a 500."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        log.warning("overload.db_connection_lost", path=request.url.path)
        detail = "The database connection was lost; retry shortly."
        return overloaded(1, detail, request)
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == QUERY_CANCELED:
        settings: OverloadSettings = request.app.state.settings.overload
        log.warning("overload.db_statement_timeout", path=request.url.path)
        detail = "The database did not answer in time; retry shortly."
        return overloaded(settings.retry_after_seconds, detail, request)
    raise exc


def install_overload(
    app: FastAPI, settings: OverloadSettings, *, long_lived_paths: Sequence[str] = ()
) -> None:
    """The pool-timeout answer, and the request limit when there is one (`long_lived_paths`
    are not counted). Call it where the limit should sit in the middleware stack: inside
    the request ID and metrics, so that refusals carry the ID and are counted."""
    app.add_exception_handler(SQLAlchemyPoolTimeout, _pool_timeout)
    app.add_exception_handler(DBAPIError, _database_error)
    if settings.max_concurrent_requests:
        app.add_middleware(
            ConcurrencyLimitMiddleware,
            max_requests=settings.max_concurrent_requests,
            retry_after=settings.retry_after_seconds,
            long_lived_paths=long_lived_paths,
        )
