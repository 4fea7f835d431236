"""Two busy people: Alice and Bob, who used every feature before the privacy flows run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tests.audit.privacy.people import (
    Person,
    collection,
    create_team,
    enable_totp,
    join,
    new_version,
    sign_up,
    upload,
)
from tests.audit.privacy.world import World

ALICE_FILE_V1 = b"Lighthouse maintenance log. The north beacon lens was polished in spring.\n"
ALICE_FILE_V2 = b"Lighthouse maintenance log. The north beacon lens was replaced in autumn.\n"
ALICE_SHARED_FILE = b"Harbour crane inspection: the east crane passed its load test.\n"
BOB_FILE = b"Ferry timetable draft: the evening ferry leaves at nine o'clock sharp.\n"


@dataclass
class Busy:
    """Two people who used every feature; Alice also in Bob's team organization."""

    alice: Person
    bob: Person
    team_id: uuid.UUID
    alice_document: str  # in her personal organization, two versions
    alice_shared_document: str  # in the team's collection
    bob_document: str


async def busy_people(world: World) -> Busy:
    alice = await sign_up(world, "alice.zephyrine@example.com", "Alice Zephyrine")
    bob = await sign_up(world, "bob.quillfeather@example.com", "Bob Quillfeather")
    team_id = await create_team(world, bob)
    await join(world, alice, team_id)

    private = await collection(world, alice.headers, "Lighthouse")
    alice_document = await upload(world, alice.headers, private, "lighthouse.txt", ALICE_FILE_V1)
    await world.settle()
    await new_version(world, alice.headers, alice_document, ALICE_FILE_V2)
    shared = await collection(world, bob.team_headers, "Harbour")
    alice_shared = await upload(world, alice.team_headers, shared, "crane.txt", ALICE_SHARED_FILE)
    bob_document = await upload(world, bob.team_headers, shared, "ferry.txt", BOB_FILE)
    await world.settle()

    search, assistant = world.clients["search"], world.clients["assistant"]
    for person, query in ((alice, "beacon lens"), (bob, "evening ferry")):
        found = await search.post("/api/search", headers=person.headers, json={"query": query})
        assert found.status_code == 200, found.text
        saved = await search.post(
            "/api/saved-searches",
            headers=person.headers,
            json={"name": f"{query} watch", "query": query, "notify": True},
        )
        assert saved.status_code == 201, saved.text
    asked = await assistant.post(
        "/api/assistant/ask",
        headers=alice.headers,
        json={"question": "What happened to the north beacon lens?"},
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["citations"], asked.json()
    rated = await assistant.post(
        f"/api/assistant/messages/{asked.json()['message_id']}/feedback",
        headers=alice.headers,
        json={"rating": "up", "comment": "Exactly what I needed"},
    )
    assert rated.status_code in (200, 201, 204), rated.text
    bob_asked = await assistant.post(
        "/api/assistant/ask",
        headers=bob.team_headers,
        json={"question": "When does the evening ferry leave?"},
    )
    assert bob_asked.status_code == 200, bob_asked.text
    preferences = await world.clients["notifications"].get(
        "/api/notifications/preferences", headers=alice.headers
    )
    assert preferences.status_code == 200, preferences.text
    changed = await world.clients["notifications"].put(
        "/api/notifications/preferences",
        headers=alice.headers,
        json={**preferences.json(), "digest": "weekly"},
    )
    assert changed.status_code == 200, changed.text
    key = await world.clients["identity"].post(
        f"/api/orgs/{alice.org_id}/api-keys",
        headers=alice.headers,
        json={"name": "Alice's script", "permissions": ["search:read"]},
    )
    assert key.status_code == 201, key.text
    for choice in ({"analytics": True, "product_email": False}, {"analytics": False}):
        chosen = await world.clients["audit"].put(
            "/api/privacy/consents", headers=alice.headers, json=choice
        )
        assert chosen.status_code == 200, chosen.text
    await enable_totp(world, alice)
    await world.settle()
    return Busy(alice, bob, team_id, alice_document, alice_shared, bob_document)
