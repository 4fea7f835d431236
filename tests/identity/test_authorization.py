"""The authorization matrix: every role against every identity endpoint that needs a token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.permissions import Permission, Role, permissions_for
from sift.core.auth.testing import route_declarations
from sift.core.config import CoreSettings
from sift.identity.app import create_app
from tests.identity.conftest import PASSWORD, Identity, add_member, make_org

ORG = "{org_id}"
TARGET = "{user_id}"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    permission: Permission
    body: dict[str, Any] | None = None

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


P = Permission
ENDPOINTS = [
    Endpoint("GET", "/api/users/me", P.account_manage),
    Endpoint("PATCH", "/api/users/me", P.account_manage, {"name": "New Name"}),
    Endpoint("POST", "/api/auth/email/verify/resend", P.account_manage),
    Endpoint(
        "POST",
        "/api/auth/password/change",
        P.account_manage,
        {"current_password": "not the password", "new_password": "a fine new passphrase"},
    ),
    Endpoint("GET", "/api/auth/sessions", P.account_manage),
    Endpoint("DELETE", "/api/auth/sessions/{session_id}", P.account_manage),
    Endpoint("DELETE", "/api/auth/sessions", P.account_manage),
    Endpoint("GET", "/api/orgs", P.account_manage),
    Endpoint("POST", "/api/orgs", P.org_create, {"name": "Another"}),
    Endpoint("GET", f"/api/orgs/{ORG}", P.org_read),
    Endpoint("PATCH", f"/api/orgs/{ORG}", P.org_manage, {"name": "Renamed"}),
    # Owners only (a wrong password would be a 401).
    Endpoint("DELETE", f"/api/orgs/{ORG}", P.privacy_manage, {"password": PASSWORD}),
    Endpoint("POST", f"/api/orgs/{ORG}/switch", P.account_manage),
    Endpoint("GET", f"/api/orgs/{ORG}/members", P.members_read),
    Endpoint("PATCH", f"/api/orgs/{ORG}/members/{TARGET}", P.members_manage, {"role": "editor"}),
    Endpoint("DELETE", f"/api/orgs/{ORG}/members/{TARGET}", P.members_manage),
    Endpoint(
        "POST",
        f"/api/orgs/{ORG}/invitations",
        P.members_manage,
        {"email": "invited@example.com", "role": "viewer"},
    ),
    Endpoint("GET", f"/api/orgs/{ORG}/invitations", P.members_manage),
    Endpoint("POST", f"/api/orgs/{ORG}/invitations/{{invitation_id}}/resend", P.members_manage),
    Endpoint("DELETE", f"/api/orgs/{ORG}/invitations/{{invitation_id}}", P.members_manage),
    Endpoint("POST", "/api/invitations/{token}/accept", P.account_manage),
    Endpoint("GET", "/api/auth/mfa", P.account_manage),
    Endpoint("POST", "/api/auth/mfa/totp/setup", P.account_manage, {"password": "wrong one"}),
    Endpoint("POST", "/api/auth/mfa/totp/enable", P.account_manage, {"code": "123456"}),
    Endpoint("POST", "/api/auth/mfa/sms/enable", P.account_manage, {"password": "wrong one"}),
    Endpoint("POST", "/api/auth/mfa/disable", P.account_manage, {"password": "wrong one"}),
    Endpoint("PUT", "/api/auth/phone", P.account_manage, {"phone_number": "not a number"}),
    Endpoint("POST", "/api/auth/phone/verify", P.account_manage, {"code": "123456"}),
    Endpoint(
        "POST",
        f"/api/orgs/{ORG}/api-keys",
        P.api_keys_manage,
        {"name": "CI", "permissions": ["documents:read"]},
    ),
    Endpoint("GET", f"/api/orgs/{ORG}/api-keys", P.api_keys_manage),
    Endpoint("DELETE", f"/api/orgs/{ORG}/api-keys/{{key_id}}", P.api_keys_manage),
    # Internal (audit calls it before an erasure); a wrong password would be a 401.
    Endpoint("POST", "/internal/identity/reauthenticate", P.account_manage, {"password": PASSWORD}),
]


def test_the_matrix_covers_every_identity_endpoint_that_needs_a_token(
    base_settings: CoreSettings,
) -> None:
    declared = route_declarations(create_app(base_settings))
    guarded = {
        route: [repr(d) for d in dependencies]
        for route, dependencies in declared.items()
        if any(repr(d).startswith("Authorize") for d in dependencies)
    }
    assert {e.route for e in ENDPOINTS} == set(guarded)
    for endpoint in ENDPOINTS:  # and each declares the permission the matrix expects
        assert f"Authorize({endpoint.permission.value!r})" in guarded[endpoint.route]


async def _call(
    identity: Identity, session: AsyncSession, endpoint: Endpoint, role: Role | None
) -> tuple[int, dict[str, Any]]:
    org = await make_org(session)
    caller = await add_member(session, identity, org, role or Role.viewer)
    target = await add_member(session, identity, org, Role.viewer)
    path = endpoint.path.format(
        org_id=org.id,
        user_id=target.user.id,
        session_id=uuid.uuid4(),
        key_id=uuid.uuid4(),
        invitation_id=uuid.uuid4(),
        token="T" * 43,
    )
    headers = caller.headers if role is not None else {}
    answer = await identity.client.request(
        endpoint.method, path, json=endpoint.body, headers=headers
    )
    body = answer.json() if answer.content else {}
    return answer.status_code, body


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.route)
async def test_each_role_gets_exactly_its_permissions(
    identity: Identity, session: AsyncSession, endpoint: Endpoint, role: Role
) -> None:
    status, body = await _call(identity, session, endpoint, role)
    denied = status == 403 and body.get("type", "").endswith("/permission-denied")
    assert status != 401, body
    assert denied == (endpoint.permission not in permissions_for(role)), (status, body)
    if not denied:
        assert status < 500, body


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.route)
async def test_without_a_token_every_one_is_401(
    identity: Identity, session: AsyncSession, endpoint: Endpoint
) -> None:
    status, body = await _call(identity, session, endpoint, None)
    assert status == 401 and body["type"].endswith("/invalid-token")
