"""A collection that keeps only the redacted text, end to end: real indexing drops the
file, the viewer's pages are redacted, and the uploader's export lists it without a file."""

from __future__ import annotations

import json

from tests.audit.privacy.people import archive_entries, export, sign_up, upload
from tests.audit.privacy.world import World

TEXT = b"Harbour log. Write to keeper@example.com about the lamp.\n"


async def test_the_original_goes_once_indexed_and_the_export_omits_it(world: World) -> None:
    dana = await sign_up(world, "dana.lightfoot@example.com", "Dana Lightfoot")
    documents = world.clients["documents"]
    created = await documents.post(
        "/api/collections",
        headers=dana.headers,
        json={"name": "Redacted only", "redact_pii": True, "keep_original_files": False},
    )
    assert created.status_code == 201, created.text
    document_id = await upload(world, dana.headers, created.json()["id"], "log.txt", TEXT)
    await world.settle()

    document = await documents.get(f"/api/documents/{document_id}", headers=dana.headers)
    assert (document.json()["status"], document.json()["original_kept"]) == ("indexed", False)
    stored = [path for path in world.storage_root.rglob("*") if path.is_file()]
    assert not [path for path in stored if TEXT in path.read_bytes()]

    gone = await documents.get(f"/api/documents/{document_id}/content", headers=dana.headers)
    assert gone.status_code == 410
    assert gone.headers["content-type"].startswith("application/problem+json")

    pages = await world.clients["search"].get(
        f"/api/search/documents/{document_id}/pages", headers=dana.headers
    )
    assert pages.status_code == 200, pages.text
    text = " ".join(page["text"] for page in pages.json()["items"])
    assert "[email]" in text and "keeper@example.com" not in text

    reindex = await documents.post(f"/api/documents/{document_id}/reindex", headers=dana.headers)
    assert reindex.status_code == 409

    entries = archive_entries(await export(world, dana))
    [exported] = json.loads(entries["documents/documents.json"])
    [version] = exported["versions"]
    assert version["file"] is None and version["original_dropped_at"]
    assert not [name for name in entries if name.startswith("documents/files/")]
