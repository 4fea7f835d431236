"""The permission table, CSRF double submit and sealed secrets."""

from __future__ import annotations

import itertools

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import SecretStr

from sift.core.app import create_service_app
from sift.core.auth.csrf import CSRF_COOKIE, CSRF_HEADER, CsrfProtect, allowed_origins
from sift.core.auth.permissions import (
    ROLE_PERMISSIONS,
    USER_ONLY_PERMISSIONS,
    Permission,
    Role,
    roles_with,
)
from sift.core.auth.sealing import SealError, derive_key, seal, unseal
from sift.core.config import CoreSettings


def test_each_role_holds_everything_the_roles_below_it_hold() -> None:
    ladder = [Role.viewer, Role.editor, Role.admin, Role.owner]
    for lower, higher in itertools.pairwise(ladder):
        assert ROLE_PERMISSIONS[lower] < ROLE_PERMISSIONS[higher]
        assert higher.outranks_or_equals(lower) and not lower.outranks_or_equals(higher)
    assert ROLE_PERMISSIONS[Role.owner] == set(Permission)


@pytest.mark.parametrize(
    ("permission", "roles"),
    [
        ("documents:read", {"viewer", "editor", "admin", "owner"}),
        ("documents:write", {"editor", "admin", "owner"}),
        ("members:manage", {"admin", "owner"}),
        ("audit:read", {"admin", "owner"}),
        ("assistant:manage", {"admin", "owner"}),
        ("org:manage", {"owner"}),
        ("privacy:manage", {"owner"}),
    ],
)
def test_the_table_reads_as_documented(permission: str, roles: set[str]) -> None:
    assert roles_with(permission) == roles


def test_user_only_permissions_exist() -> None:
    assert set(Permission) >= USER_ONLY_PERMISSIONS


def _csrf_app(settings: CoreSettings) -> FastAPI:
    app = create_service_app("csrf", settings=settings)

    @app.post("/api/csrf/refresh", dependencies=[Depends(CsrfProtect())])
    async def refresh() -> dict[str, str]:
        return {"status": "ok"}

    return app


@pytest.mark.parametrize(
    ("origin", "cookie", "header", "status"),
    [
        ("https://localhost:8443", "t0k3n", "t0k3n", 200),
        ("HTTPS://LOCALHOST:8443", "t0k3n", "t0k3n", 200),
        ("https://app.example", "t0k3n", "t0k3n", 200),
        (None, "t0k3n", "t0k3n", 403),
        ("https://evil.example", "t0k3n", "t0k3n", 403),
        ("https://localhost:8443.evil.example", "t0k3n", "t0k3n", 403),
        ("null", "t0k3n", "t0k3n", 403),
        ("https://localhost:8443", None, "t0k3n", 403),
        ("https://localhost:8443", "t0k3n", None, 403),
        ("https://localhost:8443", "t0k3n", "other", 403),
        ("https://localhost:8443", "", "", 403),
    ],
)
async def test_csrf_needs_an_allowed_origin_and_the_echoed_cookie(
    settings: CoreSettings, origin: str | None, cookie: str | None, header: str | None, status: int
) -> None:
    app = _csrf_app(settings.model_copy(update={"cors_origins": ["https://app.example"]}))
    headers = {name: value for name, value in (("Origin", origin), (CSRF_HEADER, header)) if value}
    cookies = {CSRF_COOKIE: cookie} if cookie is not None else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", cookies=cookies) as c:
        answer = await c.post("/api/csrf/refresh", headers=headers)
    assert answer.status_code == status
    if status == 403:
        assert answer.json()["type"].endswith("/csrf-failed")


def test_allowed_origins_are_scheme_host_and_port(settings: CoreSettings) -> None:
    changed = settings.model_copy(update={"public_url": "https://sift.example.com/app/"})
    assert allowed_origins(changed) == {"https://sift.example.com"}


def test_sealed_values_open_only_with_the_same_secret_and_purpose(settings: CoreSettings) -> None:
    sealed = seal(settings, "link", "https://sift.example/reset?token=abc")
    assert "abc" not in sealed and sealed != seal(settings, "link", "https://sift.example/x")
    assert unseal(settings, "link", sealed) == "https://sift.example/reset?token=abc"
    other = settings.model_copy(update={"secret_key": SecretStr("another-secret")})
    for secret_settings, purpose, value in [
        (other, "link", sealed),
        (settings, "other", sealed),
        (settings, "link", sealed[:-2] + "AA"),
        (settings, "link", "plain"),
        (settings, "link", "v1.!!!"),
    ]:
        with pytest.raises(SealError):
            unseal(secret_settings, purpose, value)


def test_derived_keys_differ_by_purpose(settings: CoreSettings) -> None:
    assert derive_key(settings, "a") != derive_key(settings, "b")
    assert derive_key(settings, "a") == derive_key(settings, "a")
    assert len(derive_key(settings, "a", length=64)) == 64
