"""Deleting an organization end to end: its owner re-authenticates, identity hides it, every
service erases what it holds of it, identity removes it; afterwards only the audit log's
entries (and the receipt, naming no organization) know it existed."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from sift.audit.privacy.models import PrivacyRequest
from sift.identity.models import ApiKey, Organization, RefreshFamily
from tests.audit.privacy.busy import ALICE_FILE_V2, busy_people
from tests.audit.privacy.people import Person, collection, upload
from tests.audit.privacy.test_erasure import (
    columns_mentioning,
    files_mentioning,
    redis_mentioning,
)
from tests.audit.privacy.world import World
from tests.identity.conftest import PASSWORD

TEAM_FILE = b"Quay rota: the west quay is closed for dredging until the spring tide.\n"
# Where an organization may still be named once deleted: the audit log keeps its entries.
AUDIT_LOG = "audit.entries."


async def delete_org(
    world: World, person: Person, org_id: uuid.UUID, password: str = PASSWORD
) -> httpx.Response:
    return await world.clients["identity"].request(
        "DELETE", f"/api/orgs/{org_id}", headers=person.team_headers, json={"password": password}
    )


async def sessions_of(world: World, *people: Person) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(organization, person) of each session of `people`."""
    async with world.database.read_sessionmaker() as session:
        rows = await session.execute(
            select(RefreshFamily.org_id, RefreshFamily.user_id).where(
                RefreshFamily.user_id.in_([person.user_id for person in people])
            )
        )
        return [(org_id, user_id) for org_id, user_id in rows.all()]


async def test_a_deleted_organization_leaves_nothing_but_the_audit_log(world: World) -> None:
    busy = await busy_people(world)
    alice, bob, team_id = busy.alice, busy.bob, busy.team_id
    identity, audit = world.clients["identity"], world.clients["audit"]
    # More of the team's life: a second collection, a search and a saved search by Alice,
    # a conversation, an API key, a pending invitation.
    quay = await collection(world, bob.team_headers, "Quay")
    await upload(world, alice.team_headers, quay, "quay.txt", TEAM_FILE)
    await world.settle()
    found = await world.clients["search"].post(
        "/api/search", headers=alice.team_headers, json={"query": "west quay dredging"}
    )
    assert found.status_code == 200, found.text
    saved = await world.clients["search"].post(
        "/api/saved-searches",
        headers=alice.team_headers,
        json={"name": "quay watch", "query": "quay", "notify": True},
    )
    assert saved.status_code == 201, saved.text
    asked = await world.clients["assistant"].post(
        "/api/assistant/ask",
        headers=alice.team_headers,
        json={"question": "When does the west quay open again?"},
    )
    assert asked.status_code == 200, asked.text
    key = await identity.post(
        f"/api/orgs/{team_id}/api-keys",
        headers=bob.team_headers,
        json={"name": "Team script", "permissions": ["search:read"]},
    )
    assert key.status_code == 201, key.text
    invited = await identity.post(
        f"/api/orgs/{team_id}/invitations",
        headers=bob.team_headers,
        json={"email": "carol.pennywhistle@example.com", "role": "viewer"},
    )
    assert invited.status_code == 201, invited.text
    await world.settle()
    team = [str(team_id)]
    assert await columns_mentioning(world.database, team)
    assert await redis_mentioning(world.redis, world.settings.redis_prefix, team)
    assert files_mentioning(world.storage_root, [TEAM_FILE])

    # Only its owner, re-authenticated, deletes it; a personal organization goes only
    # with its account.
    editor = await delete_org(world, alice, team_id)
    assert editor.status_code == 403, editor.text
    wrong = await delete_org(world, bob, team_id, "not my password")
    assert wrong.status_code == 401, wrong.text
    assert wrong.headers["content-type"] == "application/problem+json"
    personal = await identity.request(
        "DELETE", f"/api/orgs/{bob.org_id}", headers=bob.headers, json={"password": PASSWORD}
    )
    assert personal.status_code == 409, personal.text
    assert personal.json()["type"].endswith("/personal-organization")
    other = await identity.request(
        "DELETE", f"/api/orgs/{team_id}", headers=bob.headers, json={"password": PASSWORD}
    )
    assert other.status_code == 403, other.text  # not the token's organization
    no_body = await identity.request("DELETE", f"/api/orgs/{team_id}", headers=bob.team_headers)
    assert no_body.status_code == 422, no_body.text
    async with world.database.read_sessionmaker() as session:
        org = await session.get(Organization, team_id)
        assert org is not None and org.deletion_request_id is None

    sessions = await sessions_of(world, alice, bob)
    assert any(org_id == team_id for org_id, _ in sessions)
    accepted = await delete_org(world, bob, team_id)
    assert accepted.status_code == 202, accepted.text
    request_id = accepted.json()["id"]
    again = await delete_org(world, bob, team_id)
    assert again.status_code == 409, again.text
    assert again.json()["type"].endswith("/organization-deletion-running")
    # Hidden at once: nobody lists or switches to it, its API keys stop.
    for person in (alice, bob):
        orgs = await identity.get("/api/orgs", headers=person.headers)
        assert str(team_id) not in {org["id"] for org in orgs.json()["items"]}
        switched = await identity.post(f"/api/orgs/{team_id}/switch", headers=person.headers)
        assert switched.status_code == 404, switched.text
    async with world.database.read_sessionmaker() as session:
        keys = (await session.scalars(select(ApiKey).where(ApiKey.org_id == team_id))).all()
        assert keys and all(key.revoked_at is not None for key in keys)

    # Audit opens the request; documents answers, the others are "down" for now.
    await world.step("audit.privacy", "documents", "audit.privacy")
    progress = await audit.get(f"/api/privacy/requests/{request_id}", headers=bob.headers)
    assert progress.status_code == 200, progress.text
    assert progress.json()["kind"] == "organization_erasure"
    assert progress.json()["status"] == "pending"
    assert progress.json()["services"] == {
        "documents": "done",
        "search": "pending",
        "assistant": "pending",
        "notifications": "pending",
        "identity": "pending",
    }
    stranger = await audit.get(f"/api/privacy/requests/{request_id}", headers=alice.headers)
    assert stranger.status_code == 404

    await world.settle()

    done = await audit.get(f"/api/privacy/requests/{request_id}", headers=bob.headers)
    assert done.json()["status"] == "done", done.json()
    assert set(done.json()["services"].values()) == {"done"}
    receipt = done.json()["receipt"]
    assert receipt["kind"] == "organization_erasure"
    assert receipt["services"]["documents"]["erased"] >= 5  # 2 collections, 3 documents
    async with world.database.read_sessionmaker() as session:
        assert await session.get(Organization, team_id) is None
        request = await session.get(PrivacyRequest, uuid.UUID(request_id))
        assert request is not None and request.org_id is None

    # Nobody was signed out: sessions in the organization moved to another of theirs.
    moved = await sessions_of(world, alice, bob)
    assert sorted(user for _, user in moved) == sorted(user for _, user in sessions)
    assert team_id not in {org_id for org_id, _ in moved}

    leftovers = [
        hit
        for hit in await columns_mentioning(world.database, team)
        if not hit.startswith(AUDIT_LOG)
    ]
    leftovers += await redis_mentioning(world.redis, world.settings.redis_prefix, team)
    leftovers += files_mentioning(world.storage_root, [TEAM_FILE, team[0].encode()])
    assert leftovers == [], "\n".join(leftovers)
    # The audit log keeps the organization's entries (its chain still verifies).
    assert any(hit.startswith(AUDIT_LOG) for hit in await columns_mentioning(world.database, team))

    # The members and their own organizations are untouched.
    assert files_mentioning(world.storage_root, [ALICE_FILE_V2])
    signed_in = await identity.post(
        "/api/auth/login", json={"email": bob.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    orgs = await identity.get("/api/orgs", headers={"Authorization": f"Bearer {token}"})
    assert [(org["id"], org["current"]) for org in orgs.json()["items"]] == [
        (str(bob.org_id), True)
    ]
    found = await world.clients["search"].post(
        "/api/search", headers=alice.headers, json={"query": "beacon lens"}
    )
    assert busy.alice_document in {item["document_id"] for item in found.json()["items"]}
