"""RFC 9457 problem details: typed exceptions, one handler, no stack trace ever leaves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger()

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://sift.dev/problems/"


class SiftError(Exception):
    """Base of every error a service raises on purpose; rendered as problem+json."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extensions = extensions

    def headers(self) -> dict[str, str]:
        return {}

    @classmethod
    def openapi(cls) -> dict[int | str, dict[str, Any]]:
        """For an endpoint's `responses=`: documents the error in Swagger."""
        return {
            cls.status_code: {
                "description": cls.title,
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        }


class BadRequest(SiftError):
    status_code = 400
    code = "bad-request"
    title = "Bad request"


class Unauthorized(SiftError):
    status_code = 401
    code = "unauthorized"
    title = "Authentication required"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(SiftError):
    status_code = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(SiftError):
    status_code = 404
    code = "not-found"
    title = "Not found"


class Conflict(SiftError):
    status_code = 409
    code = "conflict"
    title = "Conflict"


class PayloadTooLarge(SiftError):
    status_code = 413
    code = "payload-too-large"
    title = "Request body too large"


class RateLimited(SiftError):
    status_code = 429
    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail or f"Rate limit exceeded; retry in {retry_after} s")
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(SiftError):
    status_code = 503
    code = "service-unavailable"
    title = "Service unavailable"


def problem_details(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    code: str | None = None,
    request: Request | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    """The RFC 9457 body; a stream that has already started sends it as an event."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (code or str(status)),
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    body.update(extensions)
    return body


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    code: str | None = None,
    request: Request | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = problem_details(status, title, detail, code=code, request=request, **extensions)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


_HTTP_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
}


def error_response(request: Request, exc: SiftError) -> JSONResponse:
    """The problem+json response of `exc` (also for a handler that returns, not raises, it)."""
    return problem(
        exc.status_code,
        exc.title,
        exc.detail,
        code=exc.code,
        request=request,
        headers=exc.headers(),
        **exc.extensions,
    )


async def _sift_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SiftError)
    return error_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = _HTTP_TITLES.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}"
    return problem(exc.status_code, title, detail, request=request, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in err.get("loc", ())], "msg": err.get("msg", "invalid")}
        for err in exc.errors()
    ]
    return problem(
        422,
        "Validation failed",
        "The request is not valid; see `errors`.",
        code="validation-error",
        request=request,
        errors=errors,
    )


def internal_error(request: Request) -> JSONResponse:
    """The answer to an unexpected exception: nothing of it leaves the service."""
    return problem(500, "Internal server error", "An unexpected error occurred.", request=request)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SiftError, _sift_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
