"""The app factory: health, readiness, errors, request IDs, security headers, metrics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel

from sift import SERVICES
from sift.core.config import CoreSettings
from tests.conftest import ClientFactory


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_is_alive_and_ready(
    service: str, service_client: ClientFactory
) -> None:
    async with service_client(service) as client:
        health = await client.get(f"/api/{service}/healthz")
        ready = await client.get(f"/api/{service}/readyz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "service": service}
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_a_services_docs_open_the_gateways_offline_reference_on_it(
    service_client: ClientFactory,
) -> None:
    async with service_client("documents") as client:
        response = await client.get("/api/documents/docs")
    assert response.status_code == 307
    assert response.headers["location"] == "/api/docs/?urls.primaryName=documents"


async def test_readyz_names_redis_when_it_is_down(
    service_client: ClientFactory, settings: CoreSettings
) -> None:
    unreachable = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with service_client("search", app_settings=unreachable) as client:
        response = await client.get("/api/search/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["failing"] == ["redis"]
    assert "redis" in body["detail"]
    assert body["checks"]["database"] == "ok"


async def test_readyz_names_the_database_when_it_is_down(
    service_client: ClientFactory, settings: CoreSettings
) -> None:
    unreachable = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://postgres@127.0.0.1:1/sift"}
    )
    async with service_client("audit", app_settings=unreachable, transactional=False) as client:
        response = await client.get("/api/audit/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


async def test_unknown_route_is_a_problem_404(service_client: ClientFactory) -> None:
    async with service_client("documents") as client:
        response = await client.get("/api/documents/nope/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not found"
    assert body["instance"] == "/api/documents/nope/nothing"


async def test_request_id_is_propagated_or_created(service_client: ClientFactory) -> None:
    async with service_client("identity") as client:
        given = await client.get(
            "/api/identity/healthz", headers={"X-Request-ID": "gateway-id-123"}
        )
        made = await client.get("/api/identity/healthz")
        forged = await client.get("/api/identity/healthz", headers={"X-Request-ID": "bad id\n"})
    assert given.headers["x-request-id"] == "gateway-id-123"
    assert len(made.headers["x-request-id"]) == 32
    assert forged.headers["x-request-id"] != "bad id\n"


async def test_security_headers_on_every_response(service_client: ClientFactory) -> None:
    async with service_client("assistant") as client:
        response = await client.get("/api/assistant/healthz")
        missing = await client.get("/api/assistant/missing")
    for r in (response, missing):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_metrics_count_requests_by_route_template(service_client: ClientFactory) -> None:
    async with service_client("notifications") as client:
        await client.get("/api/notifications/healthz")
        await client.get("/api/notifications/does-not-exist/123")
        metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    text = metrics.text
    assert (
        'sift_http_requests_total{method="GET",route="/api/notifications/healthz",'
        'service="notifications",status="200"} 1.0'
    ) in text
    assert 'route="unmatched",service="notifications",status="404"' in text
    assert "sift_http_request_duration_seconds_bucket" in text


async def test_metrics_label_routes_of_included_routers_by_template(
    service_client: ClientFactory,
) -> None:
    async with service_client("documents") as client:
        for _ in range(2):
            await client.get(f"/api/collections/{uuid.uuid4()}")  # no token: 401
        text = (await client.get("/metrics")).text
    assert (
        'sift_http_requests_total{method="GET",route="/api/collections/{collection_id}",'
        'service="documents",status="401"} 2.0'
    ) in text


async def test_openapi_is_served_per_service(service_client: ClientFactory) -> None:
    async with service_client("search") as client:
        spec = (await client.get("/api/search/openapi.json")).json()
    assert spec["info"]["title"] == "Sift search"
    assert "Problem" in spec["components"]["schemas"]
    operation = spec["paths"]["/api/search/healthz"]["get"]
    assert operation["operationId"] == "health_healthz"


class Echo(BaseModel):
    name: str
    count: int


async def test_validation_errors_and_body_limit(settings: CoreSettings) -> None:
    import httpx
    from fastapi import APIRouter

    from sift.core.app import create_service_app
    from sift.core.errors import Conflict

    router = APIRouter(prefix="/api/probe", tags=["probe"])

    @router.post("/echo")
    async def echo(body: Echo) -> Echo:
        return body

    @router.get("/conflict")
    async def conflict() -> None:
        raise Conflict("already there", resource="thing")

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    app = create_service_app("probe", routers=[router], settings=settings, max_body_bytes=64)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        invalid = await client.post("/api/probe/echo", json={"name": "x", "count": "many"})
        too_big = await client.post("/api/probe/echo", json={"name": "x" * 100, "count": 1})

        async def chunks() -> AsyncIterator[bytes]:
            yield b"{"
            yield b'"name": "' + b"y" * 100 + b'"}'

        chunked = await client.post("/api/probe/echo", content=chunks())
        ok = await client.post("/api/probe/echo", json={"name": "x", "count": 2})
        conflict_response = await client.get("/api/probe/conflict")
        boom_response = await client.get("/api/probe/boom")

    assert invalid.status_code == 422
    assert invalid.json()["errors"] == [
        {
            "loc": ["body", "count"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
        }
    ]
    assert too_big.status_code == 413
    assert too_big.json()["title"] == "Request body too large"
    assert chunked.status_code == 413
    assert ok.json() == {"name": "x", "count": 2}
    assert conflict_response.status_code == 409
    assert conflict_response.json()["resource"] == "thing"
    assert boom_response.status_code == 500
    assert "secret" not in boom_response.text
    assert "Traceback" not in boom_response.text


async def test_an_unexpected_error_is_a_500_problem_with_every_header_and_is_counted(
    settings: CoreSettings,
) -> None:
    import httpx
    from fastapi import APIRouter

    from sift.core.app import create_service_app

    router = APIRouter(prefix="/api/probe", tags=["probe"])

    @router.post("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    app = create_service_app("probe", routers=[router], settings=settings)
    # The app answers instead of raising: the server keeps the connection (see the e2e test).
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/api/probe/boom", headers={"X-Request-ID": "req-12345678"})
        metrics = await client.get("/metrics")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["request_id"] == response.headers["x-request-id"] == "req-12345678"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "secret" not in response.text
    assert 'sift_http_requests_total{method="POST"' in metrics.text
    assert 'service="probe",status="500"} 1.0' in metrics.text


async def test_an_error_after_the_answer_started_still_cuts_it_short(
    settings: CoreSettings,
) -> None:

    import httpx
    from fastapi import APIRouter
    from fastapi.responses import StreamingResponse

    from sift.core.app import create_service_app

    router = APIRouter(prefix="/api/probe", tags=["probe"])

    @router.get("/stream")
    async def stream() -> StreamingResponse:
        async def lines() -> AsyncIterator[bytes]:
            yield b"first\n"
            raise RuntimeError("mid-stream failure")

        return StreamingResponse(lines())

    app = create_service_app("probe", routers=[router], settings=settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        # A 200 already sent cannot become a 500: the server must see the failure and
        # close the connection, so that the client knows the answer is incomplete.
        with pytest.raises(RuntimeError, match="mid-stream failure"):
            await client.get("/api/probe/stream")


def test_the_openapi_documents_the_problems_every_route_can_answer(
    settings: CoreSettings,
) -> None:
    from sift.documents.app import create_app

    spec = create_app(settings).openapi()
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    # An `Authorize(...)` route: no token is 401, a missing permission 403, bad input 422,
    # each a problem (not FastAPI's own validation JSON, which the handler never sends).
    # A body that cannot be parsed at all (bytes that are not UTF-8) is FastAPI's 400.
    guarded = spec["paths"]["/api/collections"]["post"]["responses"]
    codes = ("400", "401", "403", "422")
    assert {code: guarded[code]["content"] for code in codes} == dict.fromkeys(codes, problem)
    public = spec["paths"]["/api/documents/healthz"]["get"]["responses"]
    assert set(public) == {"200"}
