"""API keys: creation within the creator's permissions, listing, revocation, exchange."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.permissions import Role
from sift.identity.models import ApiKey, Membership
from tests.identity.conftest import Identity, Member, add_member, make_org, outbox_events


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create_key(
    identity: Identity, member: Member, permissions: list[str], **extra: Any
) -> Any:
    return await identity.client.post(
        f"/api/orgs/{member.org.id}/api-keys",
        json={"name": "CI", "permissions": permissions, **extra},
        headers=member.headers,
    )


async def exchange(identity: Identity, key: str) -> Any:
    return await identity.client.post("/api/auth/api-keys/token", headers=bearer(key))


async def test_create_list_exchange_and_use(identity: Identity, session: AsyncSession) -> None:
    org = await make_org(session)
    admin = await add_member(session, identity, org, Role.admin)
    created = await create_key(identity, admin, ["org:read", "documents:read"])
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith(f"sift_{body['prefix']}_") and len(key) > 50
    assert body["permissions"] == ["documents:read", "org:read"]

    row = await session.get(ApiKey, uuid.UUID(body["id"]))
    assert row is not None and key.split("_", 2)[2].encode() not in row.secret_hash
    assert len(row.secret_hash) == 32

    listed = await identity.client.get(f"/api/orgs/{org.id}/api-keys", headers=admin.headers)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert "key" not in item and key not in listed.text
    assert item["last_used_at"] is None

    token = await exchange(identity, key)
    assert token.status_code == 200, token.text
    access = token.json()["access_token"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["kind"] == "api_key" and claims["akid"] == body["id"]
    assert claims["perms"] == ["documents:read", "org:read"] and "sid" not in claims
    assert (claims["sub"], claims["org"], claims["role"]) == (
        str(admin.user.id),
        str(org.id),
        "admin",
    )
    assert claims["exp"] - claims["iat"] <= 600

    assert (
        await identity.client.get(f"/api/orgs/{org.id}", headers=bearer(access))
    ).status_code == 200
    # Only what the key holds: no member list, no account, no key management.
    for method, path in (
        ("GET", f"/api/orgs/{org.id}/members"),
        ("GET", "/api/users/me"),
        ("GET", f"/api/orgs/{org.id}/api-keys"),
    ):
        denied = await identity.client.request(method, path, headers=bearer(access))
        assert denied.status_code == 403, (path, denied.text)

    listed = await identity.client.get(f"/api/orgs/{org.id}/api-keys", headers=admin.headers)
    assert listed.json()["items"][0]["last_used_at"] is not None
    events = await outbox_events(session, "auth.api_key_created")
    assert events[0]["data"]["permissions"] == ["documents:read", "org:read"]
    assert "@" in events[0]["data"]["email"]  # the creator is alerted there
    assert key not in str(events)


async def test_revoked_key_and_its_tokens_are_refused(
    identity: Identity, session: AsyncSession
) -> None:
    org = await make_org(session)
    owner = await add_member(session, identity, org, Role.owner)
    body = (await create_key(identity, owner, ["org:read"])).json()
    access = (await exchange(identity, body["key"])).json()["access_token"]
    path = f"/api/orgs/{org.id}"
    assert (await identity.client.get(path, headers=bearer(access))).status_code == 200

    revoked = await identity.client.delete(
        f"/api/orgs/{org.id}/api-keys/{body['id']}", headers=owner.headers
    )
    assert revoked.status_code == 204
    refused = await identity.client.get(path, headers=bearer(access))
    assert refused.status_code == 401 and refused.json()["type"].endswith("/invalid-token")
    again = await exchange(identity, body["key"])
    assert again.status_code == 401 and again.json()["type"].endswith("/invalid-api-key")
    [event] = await outbox_events(session, "auth.api_key_revoked")
    assert event["data"]["api_key_id"] == body["id"]
    listed = await identity.client.get(f"/api/orgs/{org.id}/api-keys", headers=owner.headers)
    assert listed.json()["items"][0]["revoked_at"] is not None


@pytest.mark.parametrize(
    ("role", "permission"),
    [
        (Role.admin, "org:manage"),  # the admin does not hold it
        (Role.admin, "members:manage"),  # user-only
        (Role.owner, "api_keys:manage"),  # user-only: keys cannot make keys
        (Role.owner, "account:manage"),  # user-only
    ],
)
async def test_a_key_holds_only_a_subset_of_its_creators_permissions(
    identity: Identity, session: AsyncSession, role: Role, permission: str
) -> None:
    org = await make_org(session)
    member = await add_member(session, identity, org, role)
    answer = await create_key(identity, member, ["documents:read", permission])
    assert answer.status_code == 403, answer.text
    assert answer.json()["type"].endswith("/permissions-not-grantable")
    assert permission in answer.json()["detail"]


async def test_invalid_requests(identity: Identity, session: AsyncSession) -> None:
    org = await make_org(session)
    other = await make_org(session, "Other")
    admin = await add_member(session, identity, org, Role.admin)
    assert (await create_key(identity, admin, ["documents:fly"])).status_code == 422
    assert (await create_key(identity, admin, [])).status_code == 422
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert (await create_key(identity, admin, ["org:read"], expires_at=past)).status_code == 400
    elsewhere = await identity.client.post(
        f"/api/orgs/{other.id}/api-keys",
        json={"name": "CI", "permissions": ["org:read"]},
        headers=admin.headers,
    )
    assert elsewhere.status_code == 403
    missing = await identity.client.delete(
        f"/api/orgs/{org.id}/api-keys/{uuid.uuid4()}", headers=admin.headers
    )
    assert missing.status_code == 404


async def test_bad_keys_are_refused_alike(identity: Identity, session: AsyncSession) -> None:
    org = await make_org(session)
    admin = await add_member(session, identity, org, Role.admin)
    key = (await create_key(identity, admin, ["org:read"])).json()["key"]
    scheme, prefix, secret = key.split("_", 2)
    for bad in (
        f"{scheme}_{prefix}_{secret[:-2]}xx",
        f"{scheme}_{'0' * 12}_{secret}",
        "sift_nonsense",
        admin.token,  # an access token is not an API key
    ):
        answer = await exchange(identity, bad)
        assert answer.status_code == 401 and answer.json()["type"].endswith("/invalid-api-key")
    missing = await identity.client.post("/api/auth/api-keys/token")
    assert missing.status_code == 401


async def test_expired_key_and_demoted_creator(identity: Identity, session: AsyncSession) -> None:
    org = await make_org(session)
    admin = await add_member(session, identity, org, Role.admin)
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    expiring = (await create_key(identity, admin, ["org:read"], expires_at=soon)).json()
    wide = (await create_key(identity, admin, ["org:read", "audit:read"])).json()
    access = (await exchange(identity, wide["key"])).json()["access_token"]

    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == uuid.UUID(expiring["id"]))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    assert (await exchange(identity, expiring["key"])).status_code == 401

    # The creator becomes a viewer: old tokens die, new ones shrink to the viewer's share.
    await session.execute(
        update(Membership)
        .where(Membership.org_id == org.id, Membership.user_id == admin.user.id)
        .values(role="viewer")
    )
    path = f"/api/orgs/{org.id}"
    assert (await identity.client.get(path, headers=bearer(access))).status_code == 401
    fresh = (await exchange(identity, wide["key"])).json()["access_token"]
    claims = jwt.decode(fresh, options={"verify_signature": False})
    assert claims["perms"] == ["org:read"] and claims["role"] == "viewer"
