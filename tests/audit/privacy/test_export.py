"""Export end to end: every service contributes its part, audit assembles one archive."""

from __future__ import annotations

import json
import time

from tests.audit.privacy.busy import (
    ALICE_FILE_V1,
    ALICE_FILE_V2,
    ALICE_SHARED_FILE,
    BOB_FILE,
    busy_people,
)
from tests.audit.privacy.people import archive_entries, export, sign_up
from tests.audit.privacy.world import World


async def test_an_export_holds_every_kind_of_data_and_the_originals_and_nobody_else(
    world: World,
) -> None:
    busy = await busy_people(world)
    alice, bob = busy.alice, busy.bob

    entries = archive_entries(await export(world, alice))

    def data(name: str) -> object:
        return json.loads(entries[name])

    assert b"# Your data in Sift" in entries["README.md"]
    profile = data("identity/profile.json")
    assert profile["email"] == alice.email and profile["name"] == alice.name  # type: ignore[index]
    assert "password_hash" not in profile  # type: ignore[operator]
    assert data("identity/sessions.json")
    assert {org["organization"]["id"] for org in data("identity/organizations.json")} == {  # type: ignore[index, union-attr]
        str(alice.org_id),
        str(busy.team_id),
    }
    assert [key["name"] for key in data("identity/api_keys.json")] == ["Alice's script"]  # type: ignore[index, union-attr]
    assert data("identity/two_step_sign_in.json")["settings"]["totp_enabled_at"]  # type: ignore[index]

    documents = {d["id"]: d for d in data("documents/documents.json")}  # type: ignore[union-attr, index]
    assert set(documents) == {busy.alice_document, busy.alice_shared_document}
    versions = documents[busy.alice_document]["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert [entries[f"documents/{v['file']}"] for v in versions] == [ALICE_FILE_V1, ALICE_FILE_V2]
    [shared_version] = documents[busy.alice_shared_document]["versions"]
    assert entries[f"documents/{shared_version['file']}"] == ALICE_SHARED_FILE
    assert [c["name"] for c in data("documents/collections.json")] == ["Lighthouse"]  # type: ignore[index, union-attr]

    assert [s["query"] for s in data("search/saved_searches.json")] == ["beacon lens"]  # type: ignore[index, union-attr]
    assert "beacon lens" in [q["query"] for q in data("search/query_history.json")]  # type: ignore[index, union-attr]
    [conversation] = data("assistant/conversations.json")  # type: ignore[misc]
    question, answer = conversation["messages"]
    assert "beacon lens" in question["content"]
    assert answer["citations"] and answer["role"] == "assistant"
    assert [f["comment"] for f in data("assistant/feedback.json")] == ["Exactly what I needed"]  # type: ignore[index, union-attr]
    assert data("notifications/notifications.json")  # documents indexed, two-step turned on
    assert data("notifications/preferences.json")["settings"]["digest"] == "weekly"  # type: ignore[index]

    consents = data("audit/consents.json")
    assert (consents["analytics"], consents["product_email"]) == (False, False)  # type: ignore[index]
    assert [(c["kind"], c["granted"]) for c in consents["history"]] == [  # type: ignore[index]
        ("analytics", False),
        ("product_email", False),
        ("analytics", True),
    ]

    everything = b"\n".join(entries.values())
    for trace in (str(bob.user_id), bob.email, bob.name, BOB_FILE, busy.bob_document):
        needle = trace if isinstance(trace, bytes) else trace.encode()
        assert needle not in everything, trace


async def test_a_download_link_that_was_altered_or_expired_is_not_found(world: World) -> None:
    person = await sign_up(world, "carol.vantablack@example.com", "Carol Vantablack")
    audit = world.clients["audit"]
    asked = await audit.post("/api/privacy/exports", headers=person.headers)
    request_id = asked.json()["id"]
    await world.pump()
    ready = (await audit.get(f"/api/privacy/exports/{request_id}", headers=person.headers)).json()
    url = ready["download_url"]
    assert (await audit.get(url)).status_code == 200

    forged = url[:-4] + ("0000" if not url.endswith("0000") else "1111")
    later = url.replace("expires=", "expires=9")
    base = f"/api/privacy/exports/{request_id}/download"
    expired_signature = await audit.get(f"{base}?expires={int(time.time()) - 10}&signature=ab")
    for answer in (
        await audit.get(forged),
        await audit.get(later),
        expired_signature,
        await audit.get(f"{base}?expires=1&signature=00"),
    ):
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"

    stranger = await sign_up(world, "dave.obsidian@example.com", "Dave Obsidian")
    mine = await audit.get(f"/api/privacy/exports/{request_id}", headers=stranger.headers)
    assert mine.status_code == 404
