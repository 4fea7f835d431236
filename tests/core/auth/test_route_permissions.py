"""Every route of every service declares its permission, or is listed here as public."""

from __future__ import annotations

import importlib

import pytest
from fastapi import APIRouter, Depends, FastAPI

from sift import SERVICES
from sift.core.auth import Authorize, Public
from sift.core.auth.testing import assert_every_route_declares_permission, route_declarations
from sift.core.config import CoreSettings


def _health(service: str) -> set[str]:
    return {f"GET /api/{service}/healthz", f"GET /api/{service}/readyz"}


# The only routes anyone may call without an access token, and why.
PUBLIC: dict[str, set[str]] = {service: _health(service) for service in SERVICES}
PUBLIC["identity"] |= {
    "GET /.well-known/jwks.json",  # public keys, for every verifier
    "POST /api/auth/signup",
    "POST /api/auth/login",
    "POST /api/auth/refresh",  # the refresh cookie + CSRF token authenticate it
    "POST /api/auth/logout",  # the refresh cookie + CSRF token authenticate it
    "POST /api/auth/password/forgot",
    "POST /api/auth/password/reset",  # the e-mailed link token authenticates it
    "POST /api/auth/email/verify",  # the e-mailed link token authenticates it
    "POST /api/auth/mfa/sms/send",  # e-mail + password, as at sign-in; texts a sign-in code
    "POST /api/auth/api-keys/token",  # the API key in the Authorization header
    "GET /api/auth/oauth/providers",  # the sign-in page's buttons
    "GET /api/auth/oauth/{provider}/start",  # starts a sign-in with a provider
    "GET /api/auth/oauth/{provider}/callback",  # the provider's answer and the state
}
PUBLIC["notifications"] |= {
    "GET /api/dev/mail",  # development only (404 elsewhere): the mail this machine caught
    "GET /api/dev/sms",  # development only (404 elsewhere): the texts this machine caught
    "GET /api/notifications/unsubscribe",  # the signed link in the mail authenticates it
    "POST /api/notifications/unsubscribe",  # RFC 8058 one-click: the signed link again
    "POST /api/notifications/webhooks/sendgrid",  # the provider's ECDSA signature
    "POST /api/notifications/webhooks/ses",  # the SNS message signature
    "POST /api/notifications/webhooks/twilio",  # X-Twilio-Signature
}
PUBLIC["audit"] |= {
    "GET /api/privacy/exports/{request_id}/download",  # the signed, expiring link
}


def _app(service: str, settings: CoreSettings) -> FastAPI:
    module = importlib.import_module(f"sift.{service}.app")
    app: FastAPI = module.create_app(settings)
    return app


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_declares_its_permission(service: str, base_settings: CoreSettings) -> None:
    assert_every_route_declares_permission(_app(service, base_settings), public=PUBLIC[service])


def _offending_app(settings: CoreSettings) -> FastAPI:
    app = FastAPI()
    router = APIRouter()

    @router.get("/forgotten")
    async def forgotten() -> None: ...

    @router.get("/guarded", dependencies=[Depends(Authorize("documents:read"))])
    async def guarded() -> None: ...

    @router.get("/listed")
    async def listed() -> None: ...

    @router.get("/marked", dependencies=[Depends(Public("a test"))])
    async def marked() -> None: ...

    @router.get("/both", dependencies=[Depends(Public("x")), Depends(Authorize("org:read"))])
    async def both() -> None: ...

    app.include_router(router)
    return app


def test_the_walker_catches_every_kind_of_mistake(base_settings: CoreSettings) -> None:
    app = _offending_app(base_settings)
    assert [repr(d) for d in route_declarations(app)["GET /guarded"]] == [
        "Authorize('documents:read')"
    ]
    with pytest.raises(AssertionError) as failure:
        assert_every_route_declares_permission(app, public={"GET /listed", "GET /gone"})
    message = str(failure.value)
    assert "GET /forgotten declares no permission" in message
    assert "GET /marked is marked Public(...) but not listed" in message
    assert "GET /both is marked Public(...) but also requires" in message
    assert "GET /gone is listed public but does not exist" in message
    assert "GET /guarded" not in message
    with pytest.raises(AssertionError) as failure:
        assert_every_route_declares_permission(
            app, public={"GET /forgotten", "GET /marked", "GET /listed"}
        )
    assert str(failure.value).count("\n") == 1  # only the route that declares both remains


def test_the_audit_log_is_for_admins_and_owners(base_settings: CoreSettings) -> None:
    declarations = route_declarations(_app("audit", base_settings))
    for route in (
        "GET /api/audit/events",
        "GET /api/audit/events/export",
        "GET /api/audit/verify",
    ):
        assert [repr(d) for d in declarations[route]] == ["Authorize('audit:read')"], route


def test_analytics_are_for_admins_and_owners(base_settings: CoreSettings) -> None:
    declarations = route_declarations(_app("audit", base_settings))
    analytics = [route for route in declarations if " /api/analytics/" in route]
    assert sorted(analytics) == [
        "GET /api/analytics/assistant",
        "GET /api/analytics/ingestion",
        "GET /api/analytics/overview",
        "GET /api/analytics/search",
        "GET /api/analytics/users",
        "GET /api/analytics/{area}/export",
    ]
    for route in analytics:
        assert [repr(d) for d in declarations[route]] == ["Authorize('analytics:read')"], route


def test_result_clicks_are_for_anyone_who_may_search(base_settings: CoreSettings) -> None:
    declarations = route_declarations(_app("search", base_settings))
    assert [repr(d) for d in declarations["POST /api/search/clicks"]] == [
        "Authorize('search:read')"
    ]
