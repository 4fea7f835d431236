"""Documents: listing, metadata, content, versions, reindexing, other organizations."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.documents.documents.sniffing import DOCX
from sift.documents.models import Document
from tests.documents import samples
from tests.documents.conftest import (
    Documents,
    make_collection,
    outbox,
    sha256,
)


async def test_list_filters_and_pages_newest_first(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    other = await make_collection(session, docs.org_id)
    caller = docs.caller("viewer")
    editor = docs.caller("editor")
    a = await docs.uploaded(editor, collection_id, title="Quarterly report", tags="finance")
    b = await docs.uploaded(editor, collection_id, title="100% done_ok", tags="Finance,ops")
    c = await docs.uploaded(editor, other.id, title="Holiday plan", tags="ops")
    await session.execute(
        update(Document).where(Document.id == uuid.UUID(c["id"])).values(status="indexed")
    )

    async def ids(**params: Any) -> list[str]:
        answer = await docs.client.get("/api/documents", headers=caller.headers, params=params)
        assert answer.status_code == 200, answer.text
        return [item["id"] for item in answer.json()["items"]]

    assert await ids() == [c["id"], b["id"], a["id"]]
    assert await ids(collection_id=str(collection_id)) == [b["id"], a["id"]]
    assert await ids(status="indexed") == [c["id"]]
    assert await ids(tag="ops") == [c["id"], b["id"]]
    assert await ids(tag="finance") == [a["id"]]  # tags match exactly
    assert await ids(q="REPORT") == [a["id"]]
    assert await ids(q="100%") == [b["id"]]  # LIKE wildcards are literal
    assert await ids(q="_") == [b["id"]]

    first = await docs.client.get("/api/documents", headers=caller.headers, params={"limit": 2})
    page = first.json()
    assert [item["id"] for item in page["items"]] == [c["id"], b["id"]]
    second = await docs.client.get(
        "/api/documents", headers=caller.headers, params={"limit": 2, "cursor": page["next_cursor"]}
    )
    assert [item["id"] for item in second.json()["items"]] == [a["id"]]
    assert second.json()["next_cursor"] is None
    bad = await docs.client.get("/api/documents", headers=caller.headers, params={"cursor": "!!"})
    assert bad.status_code == 400
    assert (
        await docs.client.get("/api/documents?status=done", headers=caller.headers)
    ).status_code == 422
    assert (
        await docs.client.get("/api/documents?limit=101", headers=caller.headers)
    ).status_code == 422


async def test_get_and_patch_metadata(docs: Documents, collection_id: uuid.UUID) -> None:
    editor = docs.caller("editor")
    created = await docs.uploaded(editor, collection_id, tags="a")

    got = await docs.client.get(
        f"/api/documents/{created['id']}", headers=docs.caller("viewer").headers
    )
    assert got.status_code == 200
    assert got.json() == created

    patched = await docs.client.patch(
        f"/api/documents/{created['id']}",
        headers=editor.headers,
        json={"title": " New  title ", "tags": ["x", "y", "X"]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "New title"
    assert patched.json()["tags"] == ["x", "y"]
    only_tags = await docs.client.patch(
        f"/api/documents/{created['id']}", headers=editor.headers, json={"tags": []}
    )
    assert only_tags.json()["title"] == "New title"
    assert only_tags.json()["tags"] == []
    blank = await docs.client.patch(
        f"/api/documents/{created['id']}", headers=editor.headers, json={"title": ""}
    )
    assert blank.status_code == 422
    missing = await docs.client.get(f"/api/documents/{uuid.uuid4()}", headers=editor.headers)
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("/document-not-found")


HOSTILE_NAMES = [
    # Clients send quotes %-encoded; whatever arrives, one quoted value goes back.
    ('report"; filename="evil.html', "report_22_ filename__22evil.html"),
    ("r\u00e9sum\u00e9 \u6587\u6863.pdf", "resume .pdf"),
    ("line\r\nX-Injected: yes.txt", None),
    ("../../../etc/passwd", "passwd"),
    ("\u202etxt.exe", "txt.exe"),
]


@pytest.mark.parametrize(("filename", "ascii_name"), HOSTILE_NAMES)
async def test_content_is_the_original_with_a_safe_content_disposition(
    docs: Documents, collection_id: uuid.UUID, filename: str, ascii_name: str | None
) -> None:
    content = samples.html()
    created = await docs.uploaded(docs.caller(), collection_id, content, filename=filename)

    answer = await docs.client.get(
        f"/api/documents/{created['id']}/content", headers=docs.caller("viewer").headers
    )

    assert answer.status_code == 200
    assert answer.content == content
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "\r" not in disposition and "\n" not in disposition
    plain, encoded = disposition.split("; filename*=UTF-8''")
    assert plain.count('"') == 2  # one quoted value, nothing broke out of it
    assert unquote(encoded) == created["filename"]
    assert "/" not in created["filename"] and "\u202e" not in created["filename"]
    if ascii_name is not None:
        assert plain == f'attachment; filename="{ascii_name}"'


async def test_new_versions_are_current_indexed_again_and_old_ones_kept(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    editor = docs.caller("editor")
    v1 = samples.markdown()
    created = await docs.uploaded(editor, collection_id, v1, filename="notes.md", title="Notes")
    v2 = samples.docx()

    answer = await docs.client.post(
        f"/api/documents/{created['id']}/versions",
        headers=editor.headers,
        files={"file": ("notes.docx", v2, "application/octet-stream")},
    )

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["id"] == created["id"]
    assert body["version"] == 2
    assert body["title"] == "Notes"  # the title stays
    assert (body["sha256"], body["mime_type"], body["filename"]) == (sha256(v2), DOCX, "notes.docx")
    assert body["status"] == "uploaded"
    [event] = await outbox(session, "document.version_created")
    assert event["data"]["version_id"] == body["version_id"]
    assert event["data"]["content_type"] == DOCX

    versions = await docs.client.get(
        f"/api/documents/{created['id']}/versions", headers=docs.caller("viewer").headers
    )
    items = versions.json()["items"]
    assert [(v["number"], v["current"]) for v in items] == [(2, True), (1, False)]
    assert items[1]["id"] == created["version_id"]
    old = await docs.client.get(
        f"/api/documents/{created['id']}/content",
        headers=editor.headers,
        params={"version_id": created["version_id"]},
    )
    assert old.content == v1
    assert old.headers["content-type"] == "text/markdown; charset=utf-8"
    current = await docs.client.get(
        f"/api/documents/{created['id']}/content", headers=editor.headers
    )
    assert current.content == v2
    unknown = await docs.client.get(
        f"/api/documents/{created['id']}/content",
        headers=editor.headers,
        params={"version_id": str(uuid.uuid4())},
    )
    assert unknown.status_code == 404

    same = await docs.client.post(
        f"/api/documents/{created['id']}/versions",
        headers=editor.headers,
        files={"file": ("again.docx", v2, "application/octet-stream")},
    )
    assert same.status_code == 409
    assert same.json()["document_id"] == created["id"]
    refused = await docs.client.post(
        f"/api/documents/{created['id']}/versions",
        headers=editor.headers,
        files={"file": ("x.png", samples.png(), "image/png")},
    )
    assert refused.status_code == 415
    assert len(docs.files) == 2


async def test_reindex_one_a_collection_or_everything(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    editor = docs.caller("editor")
    a = await docs.uploaded(editor, collection_id)
    b = await docs.uploaded(editor, collection_id)
    other = await make_collection(session, docs.org_id)
    c = await docs.uploaded(editor, other.id)
    failed = await session.get(Document, uuid.UUID(a["id"]))
    assert failed is not None
    failed.status, failed.error_code, failed.error_message = "failed", "timeout", "Too slow"
    await session.flush()

    one = await docs.client.post(f"/api/documents/{a['id']}/reindex", headers=editor.headers)
    assert one.status_code == 202
    assert one.json()["status"] == "uploaded"
    assert one.json()["error"] is None
    [event] = await outbox(session, "document.reindex_requested")
    assert event["data"]["document_id"] == a["id"]
    assert event["data"]["version_id"] == a["version_id"]

    admin = docs.caller("admin")
    bulk = await docs.client.post(
        f"/api/collections/{collection_id}/reindex", headers=admin.headers
    )
    assert bulk.status_code == 202
    assert bulk.json() == {"queued": 2}
    everything = await docs.client.post("/api/documents/reindex", headers=admin.headers)
    assert everything.json() == {"queued": 3}
    events = await outbox(session, "document.reindex_requested")
    assert [e["subject_id"] for e in events[1:3]] == sorted([a["id"], b["id"]])
    assert {e["subject_id"] for e in events[3:]} == {a["id"], b["id"], c["id"]}
    foreign = docs.caller("admin", org_id=uuid.uuid4())
    assert (await docs.client.post("/api/documents/reindex", headers=foreign.headers)).json() == {
        "queued": 0
    }


async def test_another_organizations_ids_are_404(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    created = await docs.uploaded(docs.caller("editor"), collection_id)
    stranger = docs.caller("owner", org_id=uuid.uuid4())
    d = created["id"]

    calls = [
        ("GET", f"/api/documents/{d}", None),
        ("GET", f"/api/documents/{d}/content", None),
        ("GET", f"/api/documents/{d}/versions", None),
        ("PATCH", f"/api/documents/{d}", {"title": "mine"}),
        ("POST", f"/api/documents/{d}/reindex", None),
        ("DELETE", f"/api/documents/{d}", None),
        ("GET", f"/api/collections/{collection_id}", None),
        ("PATCH", f"/api/collections/{collection_id}", {"name": "mine"}),
        ("DELETE", f"/api/collections/{collection_id}", None),
        ("GET", f"/api/collections/{collection_id}/members", None),
        ("PUT", f"/api/collections/{collection_id}/members/{stranger.user_id}", {"role": "viewer"}),
        ("POST", f"/api/collections/{collection_id}/reindex", None),
    ]
    for method, path, body in calls:
        answer = await docs.client.request(method, path, headers=stranger.headers, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    upload = await docs.upload(stranger, collection_id, b"into someone else's collection")
    assert upload.status_code == 404
    version = await docs.client.post(
        f"/api/documents/{d}/versions",
        headers=stranger.headers,
        files={"file": ("x.txt", b"hijack", "text/plain")},
    )
    assert version.status_code == 404
    listed = await docs.client.get("/api/documents", headers=stranger.headers)
    assert listed.json()["items"] == []
    collections = await docs.client.get("/api/collections", headers=stranger.headers)
    assert collections.json()["items"] == []


async def test_an_uploaders_language_is_kept_announced_and_reindexes(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    editor = docs.caller("editor")
    created = await docs.uploaded(editor, collection_id)
    assert created["language_override"] is None
    url = f"/api/documents/{created['id']}"

    patched = await docs.client.patch(url, headers=editor.headers, json={"language": "de"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["language_override"] == "de"
    assert patched.json()["status"] == "uploaded"
    [updated] = await outbox(session, "document.updated")
    assert updated["data"]["language"] == "de"
    [reindex] = await outbox(session, "document.reindex_requested")
    assert reindex["data"]["version_id"] == created["version_id"]

    # The same language again changes nothing; a title change keeps the language.
    same = await docs.client.patch(url, headers=editor.headers, json={"language": "de"})
    assert same.status_code == 200
    retitled = await docs.client.patch(url, headers=editor.headers, json={"title": "Neu"})
    assert retitled.json()["language_override"] == "de"
    assert len(await outbox(session, "document.reindex_requested")) == 1
    assert (await outbox(session, "document.updated"))[-1]["data"]["language"] == "de"

    # An explicit null lets detection decide again (and re-indexes).
    cleared = await docs.client.patch(url, headers=editor.headers, json={"language": None})
    assert cleared.json()["language_override"] is None
    assert len(await outbox(session, "document.reindex_requested")) == 2

    # A new version carries the uploader's language to search.
    await docs.client.patch(url, headers=editor.headers, json={"language": "fr"})
    version = await docs.client.post(
        f"{url}/versions",
        headers=editor.headers,
        files={"file": ("v2.txt", b"Encore un texte.", "text/plain")},
    )
    assert version.status_code == 201, version.text
    [announced] = await outbox(session, "document.version_created")
    assert announced["data"]["language"] == "fr"

    for bad in ("xx", "english", "EN", 7):
        refused = await docs.client.patch(url, headers=editor.headers, json={"language": bad})
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
