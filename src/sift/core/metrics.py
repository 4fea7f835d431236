"""Prometheus metrics: request count and latency by route template and status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger()

# Run at each scrape, before rendering: sets gauges read from the database or Redis.
MetricsHook = Callable[[Any], Awaitable[None]]
HOOK_TIMEOUT_SECONDS = 5.0  # under Prometheus's default scrape timeout (10 s)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        labels = ("service", "method", "route", "status")
        self.requests = Counter(
            "sift_http_requests_total", "HTTP requests handled", labels, registry=self.registry
        )
        self.latency = Histogram(
            "sift_http_request_duration_seconds",
            "HTTP request latency",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.service = service
        self.hooks: list[MetricsHook] = []

    async def run_hooks(self, app: Any) -> None:
        """Each hook within its time; one that fails leaves its gauges as they were."""
        for hook in self.hooks:
            try:
                await asyncio.wait_for(hook(app), timeout=HOOK_TIMEOUT_SECONDS)
            except Exception:  # the scrape still answers with what the process knows
                log.warning(
                    "metrics.hook_failed",
                    hook=getattr(hook, "__qualname__", repr(hook)),
                    exc_info=True,
                )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (self.service, method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def render(self) -> Response:
        # The app's own registry (one per app: tests build many), then the process's
        # default one: the counters services define where they count (tokens, SSE...).
        body = generate_latest(self.registry) + generate_latest(REGISTRY)
        return Response(body, media_type=CONTENT_TYPE_LATEST)


def _route_template(scope: Scope) -> str:
    # Label by template, not raw path: one series per route, not one per document ID. The
    # router records the route it chose in the scope; matching `app.router.routes` here
    # would see only the outer entry of each router FastAPI includes.
    return str(getattr(scope.get("route"), "path", "unmatched"))


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/metrics":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.metrics.observe(
                scope["method"], _route_template(scope), status, time.perf_counter() - started
            )


async def metrics_endpoint(request: Request) -> Response:
    metrics: HttpMetrics = request.app.state.metrics
    await metrics.run_hooks(request.app)
    return metrics.render()
