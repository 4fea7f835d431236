"""`Authorize(...)` on a real app: 401 without a valid token, 403 without the permission."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from structlog.testing import capture_logs

from sift.core.app import create_service_app
from sift.core.auth import Authenticator, Authorize, Principal, Public, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.auth.jwks import JwksKeySource
from sift.core.config import CoreSettings
from sift.core.errors import Unauthorized
from tests.core.auth.conftest import JwksServer, SigningKey, claims_for, ed25519_key

router = APIRouter(prefix="/api/things", tags=["things"])
ThingsRead = Annotated[Principal, Depends(Authorize("documents:read"))]
ThingsWrite = Annotated[Principal, Depends(Authorize("documents:write"))]


@router.get("")
async def read(principal: ThingsRead, request: Request) -> dict[str, str]:
    assert request.state.principal is principal
    return {"user": str(principal.user_id), "role": principal.role}


@router.post("")
async def write(principal: ThingsWrite) -> dict[str, str]:
    return {"user": str(principal.user_id)}


@router.get("/open", dependencies=[Depends(Public("a test of the marker"))])
async def open_route() -> dict[str, str]:
    return {"status": "open"}


@pytest.fixture
def key(jwks_server: JwksServer) -> SigningKey:
    signing = ed25519_key()
    jwks_server.publish(signing)
    return signing


@pytest.fixture
async def app(
    settings: CoreSettings, auth_config: AuthSettings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FastAPI]:
    monkeypatch.setenv("SIFT_AUTH_JWKS_URL", auth_config.jwks_url)
    application = create_service_app("things", routers=[router], settings=settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_default_authenticator_verifies_against_the_configured_jwks(
    client: httpx.AsyncClient, key: SigningKey, settings: CoreSettings, jwks_server: JwksServer
) -> None:
    claims = claims_for(settings, role="viewer")
    answer = await client.get("/api/things", headers=bearer(key.sign(claims)))
    assert answer.status_code == 200
    assert answer.json() == {"user": claims["sub"], "role": "viewer"}
    await client.get("/api/things", headers=bearer(key.sign(claims)))
    assert jwks_server.requests == 1  # no call to identity per request


async def test_missing_or_bad_tokens_are_401_problems(
    client: httpx.AsyncClient, key: SigningKey, settings: CoreSettings
) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwdw=="}, bearer("nonsense")):
        answer = await client.get("/api/things", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["type"].endswith("/invalid-token")


async def test_a_role_without_the_permission_gets_403(
    client: httpx.AsyncClient, key: SigningKey, settings: CoreSettings
) -> None:
    viewer = key.sign(claims_for(settings, role="viewer"))
    editor = key.sign(claims_for(settings, role="editor"))
    denied = await client.post("/api/things", headers=bearer(viewer))
    assert denied.status_code == 403
    assert denied.json()["type"].endswith("/permission-denied")
    assert "documents:write" in denied.json()["detail"]
    assert (await client.post("/api/things", headers=bearer(editor))).status_code == 200


async def test_public_routes_need_no_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/things/open")).json() == {"status": "open"}


async def test_a_service_check_can_refuse_a_verified_token(
    app: FastAPI,
    client: httpx.AsyncClient,
    key: SigningKey,
    settings: CoreSettings,
    auth_config: AuthSettings,
) -> None:
    async def refuse_viewers(request: Request, principal: Principal) -> None:
        if principal.role == "viewer":
            raise Unauthorized("no longer a member")

    keys = JwksKeySource(app.state.redis, settings, auth_config)
    verifier = TokenVerifier(keys, issuer=settings.public_url, config=auth_config)
    Authenticator.install(app, Authenticator(verifier, check=refuse_viewers))
    viewer = key.sign(claims_for(settings, role="viewer"))
    with capture_logs():
        assert (await client.get("/api/things", headers=bearer(viewer))).status_code == 401
    editor = key.sign(claims_for(settings, role="editor"))
    assert (await client.get("/api/things", headers=bearer(editor))).status_code == 200


def test_a_misspelled_permission_fails_at_declaration() -> None:
    with pytest.raises(ValueError):
        Authorize("documents:wirte")
    with pytest.raises(ValueError):
        Public("  ")


def test_the_openapi_spec_declares_bearer_auth(app: FastAPI) -> None:
    spec = app.openapi()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert spec["paths"]["/api/things"]["get"]["security"] == [{"HTTPBearer": []}]
