"""Revocation reaches documents: a token identity took back is refused here at once.

Identity and documents run as two apps over ASGI on the same PostgreSQL and Redis;
documents verifies identity's real tokens against identity's JWKS. Each test makes a token
read a document, download its file and upload, has identity revoke it through its HTTP
API, and checks that the very next requests with the same token get 401 (within a second
of identity's answer) while the rest keeps working.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.permissions import Role
from sift.core.config import CoreSettings
from sift.identity.models import Organization, User
from sift.identity.tokens.access import issue_access_token
from tests.core.auth.jwks_over_asgi import verify_with_identity
from tests.documents.conftest import Caller, Documents
from tests.identity.conftest import (
    PASSWORD,
    Identity,
    IdentityFactory,
    add_member,
    identity,
    identity_factory,
    outbox_events,
)
from tests.identity.test_accounts import link_token
from tests.identity.test_sessions import cookie_headers

__all__ = ["identity", "identity_factory"]  # identity's fixtures, for the apps here

PROPAGATION_SECONDS = 1.0


@pytest.fixture
async def docs_of_identity(identity: Identity, docs: Documents) -> AsyncIterator[Documents]:
    verify_with_identity(docs.app, identity.app)
    yield docs


def caller_of(token: str) -> Caller:
    claims = jwt.decode(token, options={"verify_signature": False})
    return Caller(token, uuid.UUID(claims["sub"]), uuid.UUID(claims["org"]), claims["role"])


async def signed_up(identity: Identity, email: str) -> Caller:
    body = await identity.signup(email)
    return caller_of(body["access_token"])


async def collection_of(docs: Documents, owner: Caller) -> uuid.UUID:
    answer = await docs.client.post(
        "/api/collections", json={"name": f"Team {uuid.uuid4().hex[:6]}"}, headers=owner.headers
    )
    assert answer.status_code == 201, answer.text
    return uuid.UUID(answer.json()["id"])


async def statuses(docs: Documents, caller: Caller, collection_id: uuid.UUID, doc_id: str) -> Any:
    """(read the document, download its file, upload another) with the caller's token."""
    read = await docs.client.get(f"/api/documents/{doc_id}", headers=caller.headers)
    content = await docs.client.get(f"/api/documents/{doc_id}/content", headers=caller.headers)
    upload = await docs.upload(caller, collection_id, f"More {uuid.uuid4()}\n".encode())
    return read.status_code, content.status_code, upload.status_code


async def assert_refused_at_once(
    docs: Documents, caller: Caller, collection_id: uuid.UUID, doc_id: str, revoked_at: float
) -> None:
    assert await statuses(docs, caller, collection_id, doc_id) == (401, 401, 401)
    assert time.monotonic() - revoked_at < PROPAGATION_SECONDS


async def test_logout_refuses_the_sessions_token_in_documents(
    identity: Identity, docs_of_identity: Documents
) -> None:
    docs = docs_of_identity
    owner = await signed_up(identity, "ada@example.com")
    collection_id = await collection_of(docs, owner)
    document = await docs.uploaded(owner, collection_id)
    assert await statuses(docs, owner, collection_id, document["id"]) == (200, 200, 201)

    logout = await identity.client.post("/api/auth/logout", headers=identity.csrf())
    assert logout.status_code == 204
    await assert_refused_at_once(docs, owner, collection_id, document["id"], time.monotonic())


async def test_refresh_reuse_refuses_every_token_of_the_family_in_documents(
    identity: Identity, docs_of_identity: Documents
) -> None:
    docs = docs_of_identity
    owner = await signed_up(identity, "ada@example.com")
    stolen = identity.client.cookies.get("sift_refresh")
    assert stolen is not None
    rotated = await identity.refresh()
    assert rotated.status_code == 200
    newer = caller_of(rotated.json()["access_token"])
    collection_id = await collection_of(docs, owner)
    document = await docs.uploaded(newer, collection_id)

    replay = await identity.client.post("/api/auth/refresh", headers=cookie_headers(stolen))
    assert replay.status_code == 401
    revoked_at = time.monotonic()
    for token in (owner, newer):
        await assert_refused_at_once(docs, token, collection_id, document["id"], revoked_at)


async def test_deleting_an_api_key_refuses_its_tokens_in_documents(
    identity: Identity, docs_of_identity: Documents
) -> None:
    docs = docs_of_identity
    owner = await signed_up(identity, "ada@example.com")
    collection_id = await collection_of(docs, owner)
    created = await identity.client.post(
        f"/api/orgs/{owner.org_id}/api-keys",
        json={"name": "CI", "permissions": ["documents:read", "documents:write"]},
        headers=owner.headers,
    )
    assert created.status_code == 201, created.text
    exchanged = await identity.client.post(
        "/api/auth/api-keys/token", headers={"Authorization": f"Bearer {created.json()['key']}"}
    )
    key = caller_of(exchanged.json()["access_token"])
    document = await docs.uploaded(key, collection_id)
    assert await statuses(docs, key, collection_id, document["id"]) == (200, 200, 201)

    deleted = await identity.client.delete(
        f"/api/orgs/{owner.org_id}/api-keys/{created.json()['id']}", headers=owner.headers
    )
    assert deleted.status_code == 204
    await assert_refused_at_once(docs, key, collection_id, document["id"], time.monotonic())
    # The session that created the key is not affected.
    assert await statuses(docs, owner, collection_id, document["id"]) == (200, 200, 201)


async def member_of(
    session: AsyncSession, identity: Identity, owner: Caller, role: Role, email: str
) -> Caller:
    """Someone with their own account, made a member of the owner's organization."""
    user = await session.get(User, (await signed_up(identity, email)).user_id)
    org = await session.get(Organization, owner.org_id)
    assert user is not None and org is not None
    member = await add_member(session, identity, org, role, user)
    return caller_of(member.token)


async def test_removing_a_member_refuses_their_tokens_in_documents(
    identity: Identity, docs_of_identity: Documents, session: AsyncSession
) -> None:
    docs = docs_of_identity
    owner = await signed_up(identity, "owner@example.com")
    member = await member_of(session, identity, owner, Role.editor, "ed@example.com")
    collection_id = await collection_of(docs, owner)
    document = await docs.uploaded(owner, collection_id)
    assert await statuses(docs, member, collection_id, document["id"]) == (200, 200, 201)

    removed = await identity.client.delete(
        f"/api/orgs/{owner.org_id}/members/{member.user_id}", headers=owner.headers
    )
    assert removed.status_code == 204
    await assert_refused_at_once(docs, member, collection_id, document["id"], time.monotonic())
    assert await statuses(docs, owner, collection_id, document["id"]) == (200, 200, 201)


async def test_a_changed_role_refuses_the_old_token_and_the_new_one_works_at_once(
    identity: Identity, docs_of_identity: Documents, session: AsyncSession
) -> None:
    docs = docs_of_identity
    owner = await signed_up(identity, "owner@example.com")
    editor = await member_of(session, identity, owner, Role.editor, "ed@example.com")
    collection_id = await collection_of(docs, owner)
    document = await docs.uploaded(owner, collection_id)

    changed = await identity.client.patch(
        f"/api/orgs/{owner.org_id}/members/{editor.user_id}",
        json={"role": "viewer"},
        headers=owner.headers,
    )
    assert changed.status_code == 200
    await assert_refused_at_once(docs, editor, collection_id, document["id"], time.monotonic())
    # A token for the new role, issued within the same second, is good: no refresh loop.
    access = await issue_access_token(
        identity.app.state.key_store,
        user_id=editor.user_id,
        org_id=owner.org_id,
        role=Role.viewer,
        session_id=None,
    )
    viewer = caller_of(access.token)
    assert await statuses(docs, viewer, collection_id, document["id"]) == (200, 200, 403)


async def test_a_password_change_refuses_the_other_sessions_tokens_in_documents(
    identity_factory: IdentityFactory, identity: Identity, docs_of_identity: Documents
) -> None:
    docs = docs_of_identity
    owner = await signed_up(identity, "ada@example.com")
    collection_id = await collection_of(docs, owner)
    document = await docs.uploaded(owner, collection_id)
    async with identity_factory() as laptop:
        here = caller_of((await laptop.login("ada@example.com")).json()["access_token"])
        changed = await laptop.client.post(
            "/api/auth/password/change",
            json={"current_password": PASSWORD, "new_password": "another long passphrase"},
            headers=here.headers,
        )
        assert changed.status_code == 204
    await assert_refused_at_once(docs, owner, collection_id, document["id"], time.monotonic())
    assert await statuses(docs, here, collection_id, document["id"]) == (200, 200, 201)


async def test_a_password_reset_refuses_every_sessions_tokens_in_documents(
    identity: Identity, docs_of_identity: Documents, session: AsyncSession, settings: CoreSettings
) -> None:
    docs = docs_of_identity
    owner = await signed_up(identity, "ada@example.com")
    collection_id = await collection_of(docs, owner)
    document = await docs.uploaded(owner, collection_id)
    forgot = await identity.client.post(
        "/api/auth/password/forgot", json={"email": "ada@example.com"}
    )
    assert forgot.status_code == 202
    [requested] = await outbox_events(session, "auth.password_reset_requested")
    reset = await identity.client.post(
        "/api/auth/password/reset",
        json={"token": link_token(settings, requested), "password": "a brand new passphrase"},
    )
    assert reset.status_code == 204
    await assert_refused_at_once(docs, owner, collection_id, document["id"], time.monotonic())


async def test_signing_out_one_session_or_everywhere_refuses_their_tokens_in_documents(
    identity_factory: IdentityFactory, identity: Identity, docs_of_identity: Documents
) -> None:
    docs = docs_of_identity
    owner = await signed_up(identity, "ada@example.com")
    collection_id = await collection_of(docs, owner)
    document = await docs.uploaded(owner, collection_id)
    async with identity_factory() as laptop:
        other = caller_of((await laptop.login("ada@example.com")).json()["access_token"])
        sessions = await identity.client.get("/api/auth/sessions", headers=owner.headers)
        [laptop_session] = [item for item in sessions.json()["items"] if not item["current"]]
        one = await identity.client.delete(
            f"/api/auth/sessions/{laptop_session['id']}", headers=owner.headers
        )
        assert one.status_code == 204
        await assert_refused_at_once(docs, other, collection_id, document["id"], time.monotonic())
        assert await statuses(docs, owner, collection_id, document["id"]) == (200, 200, 201)

    everywhere = await identity.client.delete("/api/auth/sessions", headers=owner.headers)
    assert everywhere.status_code == 204
    await assert_refused_at_once(docs, owner, collection_id, document["id"], time.monotonic())
