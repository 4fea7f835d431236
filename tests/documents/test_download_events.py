"""A download is recorded: `document.downloaded` commits with the request, with its origin."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tests.documents import samples
from tests.documents.conftest import Documents, outbox


async def test_a_download_publishes_who_fetched_which_version_from_where(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    created = await docs.uploaded(docs.caller(), collection_id, samples.html())
    reader = docs.caller("viewer")
    answer = await docs.client.get(
        f"/api/documents/{created['id']}/content",
        headers={**reader.headers, "User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/140.0"},
    )
    assert answer.status_code == 200

    [downloaded] = await outbox(session, "document.downloaded")
    assert downloaded["actor_id"] == str(reader.user_id)
    assert downloaded["org_id"] == str(docs.org_id)
    assert downloaded["data"] == {
        "document_id": created["id"],
        "version_id": created["version_id"],
        "collection_id": str(collection_id),
        "size_bytes": created["size"],
    }
    context = downloaded["context"]
    assert context["user_agent"] == "Mozilla/5.0 (X11; Linux) Firefox/140.0"
    assert context["ip"] == "127.0.0.1" and context["request_id"]


async def test_a_refused_or_missing_download_publishes_nothing(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    created = await docs.uploaded(docs.caller(), collection_id, samples.html())
    missing = await docs.client.get(
        f"/api/documents/{created['id']}/content",
        headers=docs.caller("viewer").headers,
        params={"version_id": str(uuid.uuid4())},
    )
    stranger = await docs.client.get(
        f"/api/documents/{created['id']}/content",
        headers=docs.caller("viewer", org_id=uuid.uuid4()).headers,
    )
    assert (missing.status_code, stranger.status_code) == (404, 404)
    assert await outbox(session, "document.downloaded") == []
