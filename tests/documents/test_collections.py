"""Collections: life cycle, names, pages, visibility and grants, and the events search needs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sift.documents.models import Document
from tests.documents.conftest import Documents, make_collection, outbox


async def test_create_get_list_update_delete(docs: Documents, session: AsyncSession) -> None:
    admin = docs.caller("admin")

    created = await docs.client.post(
        "/api/collections",
        headers=admin.headers,
        json={"name": "  Legal   contracts ", "description": "Signed ones"},
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "Legal contracts"
    assert (body["visibility"], body["role"]) == ("org", "manager")
    assert body["created_by"] == str(admin.user_id)
    [event] = await outbox(session, "collection.created")
    assert event["data"] == {
        "collection_id": body["id"],
        "visibility": "org",
        "created_by": str(admin.user_id),
        "language": None,
        "redact_pii": False,
    }
    assert event["org_id"] == str(docs.org_id)
    assert body["language"] is None  # the organization's
    assert body["redact_pii"] is False  # off unless asked for

    viewer = docs.caller("viewer")
    got = await docs.client.get(f"/api/collections/{body['id']}", headers=viewer.headers)
    assert got.status_code == 200
    assert got.json()["role"] == "viewer"

    renamed = await docs.client.patch(
        f"/api/collections/{body['id']}",
        headers=admin.headers,
        json={"name": "Contracts", "description": "All of them"},
    )
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["description"]) == ("Contracts", "All of them")
    [updated] = await outbox(session, "collection.updated")
    assert updated["data"]["fields"] == ["name", "description"]
    unchanged = await docs.client.patch(
        f"/api/collections/{body['id']}", headers=admin.headers, json={"name": "Contracts"}
    )
    assert unchanged.status_code == 200
    assert len(await outbox(session, "collection.updated")) == 1

    deleted = await docs.client.delete(f"/api/collections/{body['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    [gone] = await outbox(session, "collection.deleted")
    assert gone["data"] == {"collection_id": body["id"]}
    missing = await docs.client.get(f"/api/collections/{body['id']}", headers=admin.headers)
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("/collection-not-found")


async def test_a_collections_language_is_kept_and_announced(
    docs: Documents, session: AsyncSession
) -> None:
    admin = docs.caller("admin")
    created = await docs.client.post(
        "/api/collections", headers=admin.headers, json={"name": "Titles", "language": "de"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["language"] == "de"
    [event] = await outbox(session, "collection.created")
    assert event["data"]["language"] == "de"
    url = f"/api/collections/{created.json()['id']}"
    assert (await docs.client.get(url, headers=admin.headers)).json()["language"] == "de"

    changed = await docs.client.patch(url, headers=admin.headers, json={"language": "en"})
    assert changed.json()["language"] == "en"
    [updated] = await outbox(session, "collection.updated")
    assert (updated["data"]["fields"], updated["data"]["language"]) == (["language"], "en")
    renamed = await docs.client.patch(url, headers=admin.headers, json={"name": "Short titles"})
    assert renamed.json()["language"] == "en"  # absent: unchanged
    reset = await docs.client.patch(url, headers=admin.headers, json={"language": None})
    assert reset.json()["language"] is None  # back to the organization's
    last = (await outbox(session, "collection.updated"))[-1]["data"]
    assert (last["fields"], last["language"]) == (["language"], None)

    for bad in ("xx", "German", ""):
        refused = await docs.client.patch(url, headers=admin.headers, json={"language": bad})
        assert refused.status_code == 422, bad
        invalid = await docs.client.post(
            "/api/collections", headers=admin.headers, json={"name": "Other", "language": bad}
        )
        assert invalid.status_code == 422, bad


async def test_pii_redaction_is_kept_announced_and_reindexes_the_collection(
    docs: Documents, session: AsyncSession
) -> None:
    admin = docs.caller("admin")
    created = await docs.client.post(
        "/api/collections", headers=admin.headers, json={"name": "HR", "redact_pii": True}
    )
    assert created.status_code == 201, created.text
    assert created.json()["redact_pii"] is True
    [event] = await outbox(session, "collection.created")
    assert event["data"]["redact_pii"] is True
    collection_id = uuid.UUID(created.json()["id"])
    url = f"/api/collections/{collection_id}"
    assert (await docs.client.get(url, headers=admin.headers)).json()["redact_pii"] is True
    document = await docs.uploaded(admin, collection_id)
    renamed = await docs.client.patch(url, headers=admin.headers, json={"name": "People"})
    assert renamed.json()["redact_pii"] is True  # absent: unchanged
    assert await outbox(session, "document.reindex_requested") == []

    off = await docs.client.patch(url, headers=admin.headers, json={"redact_pii": False})
    assert off.status_code == 200, off.text
    assert off.json()["redact_pii"] is False
    updated = (await outbox(session, "collection.updated"))[-1]
    assert (updated["data"]["fields"], updated["data"]["redact_pii"]) == (["redact_pii"], False)
    # Its documents are indexed again, announced after the setting so search has it.
    [reindex] = await outbox(session, "document.reindex_requested")
    assert reindex["data"]["document_id"] == document["id"]
    *_, first, then = await outbox(session)
    assert (first["type"], then["type"]) == ("collection.updated", "document.reindex_requested")
    again = await docs.client.patch(url, headers=admin.headers, json={"redact_pii": False})
    assert again.json()["redact_pii"] is False
    assert len(await outbox(session, "document.reindex_requested")) == 1  # no change: none

    for bad in ("yes", 1, "", [True]):
        refused = await docs.client.patch(url, headers=admin.headers, json={"redact_pii": bad})
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
        invalid = await docs.client.post(
            "/api/collections", headers=admin.headers, json={"name": "Other", "redact_pii": bad}
        )
        assert invalid.status_code == 422, bad


async def test_names_are_unique_per_organization_whatever_the_case(
    docs: Documents, session: AsyncSession
) -> None:
    admin = docs.caller("admin")
    await make_collection(session, docs.org_id, name="Research")
    other = await make_collection(session, docs.org_id, name="Other")

    clash = await docs.client.post(
        "/api/collections", headers=admin.headers, json={"name": "RESEARCH"}
    )
    assert clash.status_code == 409
    assert clash.json()["type"].endswith("/collection-name-taken")
    rename = await docs.client.patch(
        f"/api/collections/{other.id}", headers=admin.headers, json={"name": "research"}
    )
    assert rename.status_code == 409
    elsewhere = docs.caller("admin", org_id=uuid.uuid4())
    ok = await docs.client.post(
        "/api/collections", headers=elsewhere.headers, json={"name": "Research"}
    )
    assert ok.status_code == 201
    for body in (
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": "A", "visibility": "public"},
    ):
        invalid = await docs.client.post("/api/collections", headers=admin.headers, json=body)
        assert invalid.status_code == 422, body


async def test_a_misspelt_field_is_a_422_naming_it(docs: Documents) -> None:
    admin = docs.caller("admin")
    body = {"name": "Research", "visiblity": "restricted"}  # one policy: `Schema` forbids

    answer = await docs.client.post("/api/collections", headers=admin.headers, json=body)

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert [error["loc"][-1] for error in answer.json()["errors"]] == ["visiblity"]


async def test_a_collection_with_documents_is_not_deleted(
    docs: Documents, session: AsyncSession
) -> None:
    collection = await make_collection(session, docs.org_id)
    document = await docs.uploaded(docs.caller("editor"), collection.id)
    admin = docs.caller("admin")

    refused = await docs.client.delete(f"/api/collections/{collection.id}", headers=admin.headers)

    assert refused.status_code == 409
    assert refused.json()["documents"] == 1
    await docs.client.delete(f"/api/documents/{document['id']}", headers=admin.headers)
    deleted = await docs.client.delete(f"/api/collections/{collection.id}", headers=admin.headers)
    assert deleted.status_code == 204


async def test_the_list_pages_by_name(docs: Documents, session: AsyncSession) -> None:
    for name in ("delta", "Alpha", "charlie", "Bravo", "echo"):
        await make_collection(session, docs.org_id, name=name)
    viewer = docs.caller("viewer")

    names: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        answer = await docs.client.get("/api/collections", headers=viewer.headers, params=params)
        assert answer.status_code == 200
        names += [item["name"] for item in answer.json()["items"]]
        cursor = answer.json()["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert names == ["Alpha", "Bravo", "charlie", "delta", "echo"]
    assert pages == 3
    bad = await docs.client.get(
        "/api/collections", headers=viewer.headers, params={"cursor": "e30"}
    )
    assert bad.status_code == 400


async def test_visibility_changes_and_grants_emit_events(
    docs: Documents, session: AsyncSession
) -> None:
    admin = docs.caller("admin")
    collection = await make_collection(session, docs.org_id)
    user = uuid.uuid4()
    base = f"/api/collections/{collection.id}"

    on_org = await docs.client.put(
        f"{base}/members/{user}", headers=admin.headers, json={"role": "viewer"}
    )
    assert on_org.status_code == 409
    assert on_org.json()["type"].endswith("/collection-not-restricted")

    restricted = await docs.client.patch(
        base, headers=admin.headers, json={"visibility": "restricted"}
    )
    assert restricted.json()["visibility"] == "restricted"
    granted = await docs.client.put(
        f"{base}/members/{user}", headers=admin.headers, json={"role": "viewer"}
    )
    assert granted.status_code == 200
    assert granted.json()["role"] == "viewer"
    changed = await docs.client.put(
        f"{base}/members/{user}", headers=admin.headers, json={"role": "editor"}
    )
    assert changed.json()["role"] == "editor"
    same = await docs.client.put(
        f"{base}/members/{user}", headers=admin.headers, json={"role": "editor"}
    )
    assert same.status_code == 200
    one = await docs.client.get(f"{base}/members/{user}", headers=admin.headers)
    assert one.json()["role"] == "editor"
    listed = await docs.client.get(f"{base}/members", headers=admin.headers)
    assert [m["user_id"] for m in listed.json()["items"]] == [str(user)]
    opened = await docs.client.patch(base, headers=admin.headers, json={"visibility": "org"})
    assert opened.status_code == 200
    await docs.client.patch(base, headers=admin.headers, json={"visibility": "restricted"})
    revoked = await docs.client.delete(f"{base}/members/{user}", headers=admin.headers)
    assert revoked.status_code == 204
    again = await docs.client.delete(f"{base}/members/{user}", headers=admin.headers)
    assert again.status_code == 404
    assert again.json()["type"].endswith("/grant-not-found")
    bad_role = await docs.client.put(
        f"{base}/members/{user}", headers=admin.headers, json={"role": "owner"}
    )
    assert bad_role.status_code == 422

    events = [
        (e["type"], e["data"]) for e in await outbox(session) if e["type"] != "collection.updated"
    ]
    c = str(collection.id)
    assert events == [
        (
            "collection.visibility_changed",
            {
                "collection_id": c,
                "old_visibility": "org",
                "new_visibility": "restricted",
                "members": [],
            },
        ),
        (
            "collection.member_granted",
            {"collection_id": c, "user_id": str(user), "role": "viewer", "previous_role": None},
        ),
        (
            "collection.member_granted",
            {"collection_id": c, "user_id": str(user), "role": "editor", "previous_role": "viewer"},
        ),
        (
            "collection.visibility_changed",
            {
                "collection_id": c,
                "old_visibility": "restricted",
                "new_visibility": "org",
                "members": [str(user)],
            },
        ),
        (
            "collection.visibility_changed",
            {
                "collection_id": c,
                "old_visibility": "org",
                "new_visibility": "restricted",
                "members": [str(user)],
            },
        ),
        (
            "collection.member_revoked",
            {"collection_id": c, "user_id": str(user), "previous_role": "editor"},
        ),
    ]


async def test_a_collection_whose_documents_are_still_being_deleted_waits(
    docs: Documents, session: AsyncSession
) -> None:
    collection = await make_collection(session, docs.org_id)
    created = await docs.uploaded(docs.caller("editor"), collection.id)
    document = await session.get(Document, uuid.UUID(created["id"]))
    assert document is not None
    document.deleted_at = datetime.now(UTC)  # its files not removed yet
    await session.flush()

    answer = await docs.client.delete(
        f"/api/collections/{collection.id}", headers=docs.caller("owner").headers
    )

    assert answer.status_code == 409
    assert (answer.json()["documents"], answer.json()["being_deleted"]) == (0, 1)
    assert "still being deleted" in answer.json()["detail"]
