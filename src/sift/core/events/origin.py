"""Where an event came from: the HTTP request being served, if any.

`RequestOriginMiddleware` (every service app runs it) keeps the request in a context
variable; `publish` stamps each event it adds with the client's address, user agent and
request ID (`EventEnvelope.context`), which the audit log records. Workers, consumers and
the scheduler serve no request: their events carry no context.
"""

from __future__ import annotations

from contextvars import ContextVar

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from sift.contracts.events import EventContext
from sift.core.ratelimit import RateLimiting, client_ip

USER_AGENT_LENGTH = 512

_current_request: ContextVar[Request | None] = ContextVar("sift_current_request", default=None)


class RequestOriginMiddleware:
    """Makes the request being served known to `current_origin` (pure ASGI, no copying)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _current_request.set(Request(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            _current_request.reset(token)


def current_origin() -> EventContext | None:
    """The request being served as an event's context; None outside a request."""
    request = _current_request.get()
    if request is None:
        return None
    address = client_ip(request, RateLimiting.of(request.app).config.trusted_proxies)
    agent = request.headers.get("user-agent")
    request_id = getattr(request.state, "request_id", None)
    return EventContext(
        ip=None if address == "unknown" else address,
        user_agent=agent[:USER_AGENT_LENGTH] if agent else None,
        request_id=request_id if isinstance(request_id, str) else None,
    )
