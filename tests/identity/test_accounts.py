"""Sign-up, sign-in, profile, e-mail verification and passwords, over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.contracts.events.identity import LINK_SEAL_PURPOSE
from sift.core.auth.sealing import unseal
from sift.core.config import CoreSettings
from sift.identity.models import Membership, Organization, SingleUseToken, User
from tests.identity.conftest import (
    PASSWORD,
    Identity,
    IdentityFactory,
    cheap_config,
    outbox_events,
    outbox_types,
)


def bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


def link_token(settings: CoreSettings, envelope: dict[str, Any]) -> str:
    link = unseal(settings, LINK_SEAL_PURPOSE, envelope["data"]["link"])
    return link.split("token=", 1)[1]


async def test_signup_creates_the_account_its_organization_and_a_session(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    body = await identity.signup("Ada.Lovelace@Example.COM", name="Ada Lovelace")
    user = body["user"]
    assert user["email"] == "ada.lovelace@example.com"
    assert (user["name"], user["email_verified"]) == ("Ada Lovelace", False)
    assert body["token_type"] == "bearer" and body["expires_in"] == 600

    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    membership = await session.scalar(
        select(Membership).where(Membership.user_id == uuid.UUID(user["id"]))
    )
    assert membership is not None and membership.role == "owner"
    org = await session.get(Organization, membership.org_id)
    assert org is not None and org.personal
    assert (claims["sub"], claims["org"], claims["role"]) == (user["id"], str(org.id), "owner")
    assert claims["exp"] - claims["iat"] == 600 and claims["nbf"] == claims["iat"]
    assert claims["iss"] == settings.public_url and claims["aud"] == "sift"
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "EdDSA" and header["kid"]

    # The first signing key is made on first use, in its own transaction.
    assert set(await outbox_types(session)) - {"auth.signing_key_rotated"} == {
        "org.created",
        "user.signed_up",
        "user.email_verification_requested",
    }


async def test_the_refresh_cookie_is_httponly_secure_strict_and_path_scoped(
    identity: Identity,
) -> None:
    answer = await identity.client.post(
        "/api/auth/signup",
        json={"email": "grace@example.com", "password": PASSWORD, "name": "Grace"},
    )
    cookies = {c.split("=", 1)[0]: c for c in answer.headers.get_list("set-cookie")}
    refresh = cookies["sift_refresh"].lower()
    for flag in ("httponly", "secure", "samesite=strict", "path=/api/auth", "max-age="):
        assert flag in refresh
    csrf = cookies["sift_csrf"].lower()
    assert "httponly" not in csrf and "secure" in csrf and "samesite=strict" in csrf
    token = cookies["sift_refresh"].split(";")[0].split("=", 1)[1]
    assert len(token) >= 43  # 256 bits, base64url


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 10"),
        ("alan@example.com", "e-mail"),
        ("ALAN@example.com", "e-mail"),
        ("password123", "common"),
        ("qwertyuiop", "common"),
        ("aaaaaaaaaaaa", "guess"),
        ("alanturing", "guess"),
        ("Turing Alan", "guess"),
        ("x" * 300, "at most"),
    ],
)
async def test_weak_passwords_are_refused(identity: Identity, password: str, reason: str) -> None:
    answer = await identity.client.post(
        "/api/auth/signup",
        json={"email": "alan@example.com", "password": password, "name": "Alan Turing"},
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"].endswith("/weak-password")
    assert reason in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "password"]


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "ada@@example.com", "ada@exa mple.com"])
async def test_invalid_addresses_are_refused(identity: Identity, email: str) -> None:
    answer = await identity.client.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Ada"}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "email"]


async def test_one_account_per_address_whatever_its_case(identity: Identity) -> None:
    await identity.signup("ada@example.com")
    answer = await identity.client.post(
        "/api/auth/signup", json={"email": "ADA@example.com", "password": PASSWORD, "name": "A"}
    )
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("/email-taken")


async def test_login_normalizes_the_address_and_signs_in(identity: Identity) -> None:
    created = await identity.signup("ada@example.com")
    answer = await identity.login(" ADA@Example.com ")
    assert answer.status_code == 200
    assert answer.json()["user"]["id"] == created["user"]["id"]
    assert "sift_refresh" in answer.cookies


async def test_login_rehashes_when_the_argon2_parameters_change(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    async with identity_factory() as identity:
        user_id = (await identity.signup("ada@example.com"))["user"]["id"]
    old = await session.scalar(select(User.password_hash).where(User.id == uuid.UUID(user_id)))
    assert old is not None and "m=8192,t=1,p=1" in old

    async with identity_factory(config=cheap_config(argon2_time_cost=2)) as identity:
        assert (await identity.login("ada@example.com")).status_code == 200
    session.expire_all()
    new = await session.scalar(select(User.password_hash).where(User.id == uuid.UUID(user_id)))
    assert new is not None and new.startswith("$argon2id$") and "m=8192,t=2,p=1" in new


async def test_the_profile_reads_and_changes(identity: Identity) -> None:
    body = await identity.signup("ada@example.com")
    me = await identity.client.get("/api/users/me", headers=bearer(body))
    assert me.json()["email"] == "ada@example.com"
    changed = await identity.client.patch(
        "/api/users/me", json={"name": "Ada King"}, headers=bearer(body)
    )
    assert changed.json()["name"] == "Ada King"
    invalid = await identity.client.patch("/api/users/me", json={"name": ""}, headers=bearer(body))
    assert invalid.status_code == 422


async def test_the_profile_comes_from_the_token_check_without_a_second_query(
    identity: Identity, db_connection: AsyncConnection
) -> None:
    body = await identity.signup("ada@example.com")
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(db_connection.sync_connection, "before_cursor_execute", seen)
    try:
        me = await identity.client.get("/api/users/me", headers=bearer(body))
    finally:
        event.remove(db_connection.sync_connection, "before_cursor_execute", seen)
    assert me.status_code == 200 and me.json()["email"] == "ada@example.com"
    # The token's check reads the user row; the profile is that row, not a second read.
    assert len([s for s in statements if "FROM identity.users" in s]) == 1, statements


async def test_email_verification_link_works_once(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    body = await identity.signup("ada@example.com")
    [requested] = await outbox_events(session, "user.email_verification_requested")
    assert requested["data"]["email"] == "ada@example.com"
    token = link_token(settings, requested)

    assert (
        await identity.client.post("/api/auth/email/verify", json={"token": token})
    ).status_code == 204
    me = await identity.client.get("/api/users/me", headers=bearer(body))
    assert me.json()["email_verified"] is True
    again = await identity.client.post("/api/auth/email/verify", json={"token": token})
    assert again.status_code == 400 and again.json()["type"].endswith("/invalid-link")
    assert "user.email_verified" in await outbox_types(session)


async def test_an_expired_or_forged_verification_link_fails(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    await identity.signup("ada@example.com")
    [requested] = await outbox_events(session, "user.email_verification_requested")
    await session.execute(
        update(SingleUseToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    for token in (link_token(settings, requested), "A" * 43):
        answer = await identity.client.post("/api/auth/email/verify", json={"token": token})
        assert answer.status_code == 400


async def test_resend_verification(identity: Identity, session: AsyncSession) -> None:
    body = await identity.signup("ada@example.com")
    answer = await identity.client.post("/api/auth/email/verify/resend", headers=bearer(body))
    assert answer.status_code == 202
    assert len(await outbox_events(session, "user.email_verification_requested")) == 2


async def test_password_reset_is_single_use_and_signs_out_everywhere(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    body = await identity.signup("ada@example.com")
    forgot = await identity.client.post(
        "/api/auth/password/forgot", json={"email": "ada@example.com"}
    )
    assert forgot.status_code == 202
    [requested] = await outbox_events(session, "auth.password_reset_requested")
    token = link_token(settings, requested)
    expires = datetime.fromisoformat(requested["data"]["expires_at"])
    assert timedelta(minutes=29) < expires - datetime.now(UTC) <= timedelta(minutes=30)

    weak = await identity.client.post(
        "/api/auth/password/reset", json={"token": token, "password": "password123"}
    )
    assert weak.status_code == 422  # the link is not used up by a refused password
    new_password = "a brand new passphrase"
    reset = await identity.client.post(
        "/api/auth/password/reset", json={"token": token, "password": new_password}
    )
    assert reset.status_code == 204
    again = await identity.client.post(
        "/api/auth/password/reset", json={"token": token, "password": "another new passphrase"}
    )
    assert again.status_code == 400

    assert (await identity.refresh()).status_code == 401  # every session was signed out
    me = await identity.client.get("/api/users/me", headers=bearer(body))
    assert me.status_code == 401
    assert (await identity.login("ada@example.com")).status_code == 401
    assert (await identity.login("ada@example.com", new_password)).status_code == 200
    [completed] = await outbox_events(session, "auth.password_reset_completed")
    assert completed["data"]["sessions_revoked"] == 1


async def test_password_change_needs_the_current_password_and_keeps_this_session(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    async with identity_factory() as other_device:
        await other_device.signup("ada@example.com")
        async with identity_factory() as this_device:
            body = (await this_device.login("ada@example.com")).json()
            wrong = await this_device.client.post(
                "/api/auth/password/change",
                json={"current_password": "not it at all", "new_password": "another passphrase"},
                headers=bearer(body),
            )
            assert wrong.status_code == 400
            changed = await this_device.client.post(
                "/api/auth/password/change",
                json={"current_password": PASSWORD, "new_password": "another long passphrase"},
                headers=bearer(body),
            )
            assert changed.status_code == 204
            assert (await this_device.refresh()).status_code == 200
        assert (await other_device.refresh()).status_code == 401
    [changed_event] = await outbox_events(session, "auth.password_changed")
    assert changed_event["data"]["sessions_revoked"] == 1


class CodeFactor:
    """A second factor as the MFA work will plug one in: enabled for one user, one code."""

    name = "test-code"

    def __init__(self, email: str) -> None:
        self.email = email

    async def enabled_for(self, session: AsyncSession, user: User) -> bool:
        return user.email == self.email

    async def verify(self, session: AsyncSession, user: User, code: str) -> bool:
        return code == "123456"


async def test_a_registered_second_factor_is_required_at_login(identity: Identity) -> None:
    from sift.identity.accounts.second_factor import (
        register_second_factor,
        unregister_second_factor,
    )

    await identity.signup("ada@example.com")
    await identity.signup("bob@example.com")
    factor = CodeFactor("ada@example.com")
    register_second_factor(factor)
    try:
        missing = await identity.login("ada@example.com")
        assert missing.status_code == 401
        assert missing.json()["mfa_required"] is True
        assert missing.json()["factors"] == ["test-code"]
        wrong = await identity.client.post(
            "/api/auth/login",
            json={"email": "ada@example.com", "password": PASSWORD, "mfa_code": "000000"},
        )
        assert wrong.status_code == 401
        right = await identity.client.post(
            "/api/auth/login",
            json={"email": "ada@example.com", "password": PASSWORD, "mfa_code": "123456"},
        )
        assert right.status_code == 200
        assert (await identity.login("bob@example.com")).status_code == 200
    finally:
        unregister_second_factor(factor)
