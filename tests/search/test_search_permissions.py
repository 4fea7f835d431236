"""Permission-aware retrieval, as a matrix: who receives chunks of which collection through
`/api/search` (every mode), the assistant's internal endpoints, and after a revoke."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from sift.contracts.events.documents import DocumentUpdated
from sift.core.auth import Authorize
from sift.core.auth.testing import route_declarations
from tests.search.retrieval_helpers import Doc, World, world

__all__ = ["world"]

MODES = ("hybrid", "fulltext", "semantic")
QUERY = "quarterly budget forecast"


@dataclass
class Setup:
    open_doc: Doc
    secret_doc: Doc
    member: uuid.UUID  # holds a grant on the restricted collection


@pytest.fixture
async def setup(world: World) -> Setup:
    open_collection = await world.collection("org")
    secret_collection = await world.collection("restricted")
    member = uuid.uuid4()
    await world.grant(secret_collection, member)
    open_doc = await world.document(
        open_collection, "The quarterly budget forecast for the marketing team."
    )
    secret_doc = await world.document(
        secret_collection, "The quarterly budget forecast for the board: layoffs planned."
    )
    return Setup(open_doc, secret_doc, member)


async def documents_seen(world: World, headers: dict[str, str], **body: object) -> set[uuid.UUID]:
    seen: set[uuid.UUID] = set()
    for mode in MODES:
        answer = await world.search(headers, query=QUERY, mode=mode, **body)
        assert answer.status_code == 200, answer.text
        seen |= {uuid.UUID(item["document_id"]) for item in answer.json()["items"]}
    answer = await world.client.post(
        "/internal/search/retrieve", headers=headers, json={"query": QUERY, **body}
    )
    assert answer.status_code == 200, answer.text
    seen |= {uuid.UUID(passage["document_id"]) for passage in answer.json()["passages"]}
    return seen


@pytest.mark.parametrize(
    ("role", "granted", "sees_secret"),
    [
        ("owner", False, True),
        ("admin", False, True),
        ("editor", False, False),
        ("viewer", False, False),
        ("viewer", True, True),
        ("editor", True, True),
    ],
)
async def test_who_sees_which_collection(
    world: World, setup: Setup, role: str, granted: bool, sees_secret: bool
) -> None:
    headers = world.headers(role, user_id=setup.member if granted else None)
    expected = {setup.open_doc.document_id}
    if sees_secret:
        expected.add(setup.secret_doc.document_id)
    assert await documents_seen(world, headers) == expected
    passages = await world.client.get(
        f"/internal/search/documents/{setup.secret_doc.document_id}/passages", headers=headers
    )
    assert passages.status_code == (200 if sees_secret else 404)


async def test_another_organization_sees_nothing(world: World, setup: Setup) -> None:
    headers = world.headers("owner", org_id=uuid.uuid4())
    assert await documents_seen(world, headers) == set()
    answer = await world.client.get(
        f"/internal/search/documents/{setup.open_doc.document_id}/passages", headers=headers
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_asking_for_an_unreadable_collection_reveals_nothing(
    world: World, setup: Setup
) -> None:
    headers = world.headers("viewer")
    for collection_id in (setup.secret_doc.collection_id, uuid.uuid4()):
        # The same empty answer whether the collection exists or not.
        assert await documents_seen(world, headers, collection_ids=[str(collection_id)]) == set()
    narrowed = await documents_seen(
        world, headers, collection_ids=[str(setup.open_doc.collection_id)]
    )
    assert narrowed == {setup.open_doc.document_id}


async def test_a_revoked_grant_takes_effect_at_once(world: World, setup: Setup) -> None:
    headers = world.headers("viewer", user_id=setup.member)
    both = {setup.open_doc.document_id, setup.secret_doc.document_id}
    assert await documents_seen(world, headers) == both  # and now cached
    await world.revoke(setup.secret_doc.collection_id, setup.member)
    assert await documents_seen(world, headers) == {setup.open_doc.document_id}
    answer = await world.client.get(
        f"/internal/search/documents/{setup.secret_doc.document_id}/passages", headers=headers
    )
    assert answer.status_code == 404


async def test_internal_endpoints_shapes(world: World, setup: Setup) -> None:
    headers = world.headers("owner")
    answer = await world.client.post(
        "/internal/search/retrieve",
        headers=headers,
        json={"query": QUERY, "document_ids": [str(setup.secret_doc.document_id)], "limit": 3},
    )
    assert answer.status_code == 200, answer.text
    [passage] = answer.json()["passages"]
    assert set(passage) == {
        "chunk_id",
        "document_id",
        "document_title",
        "collection_id",
        "version_id",
        "page",
        "page_end",
        "start_char",
        "end_char",
        "pages",
        "text",
        "score",
    }
    assert passage["pages"] == []  # a chunk on one page (or a format without pages)
    assert passage["document_id"] == str(setup.secret_doc.document_id)
    assert passage["version_id"] == str(setup.secret_doc.version_id)
    assert passage["text"].startswith("The quarterly budget")
    assert passage["start_char"] == 0 and passage["end_char"] == len(passage["text"])

    whole = await world.client.get(
        f"/internal/search/documents/{setup.open_doc.document_id}/passages", headers=headers
    )
    assert whole.status_code == 200
    body = whole.json()
    assert body["document_id"] == str(setup.open_doc.document_id)
    assert body["document_title"] == setup.open_doc.title
    assert [p["chunk_id"] for p in body["passages"]] and body["passages"][0]["start_char"] == 0

    too_many = await world.client.post(
        "/internal/search/retrieve", headers=headers, json={"query": QUERY, "limit": 51}
    )
    assert too_many.status_code == 422
    unknown = await world.client.get(
        f"/internal/search/documents/{uuid.uuid4()}/passages", headers=headers
    )
    assert unknown.status_code == 404


async def test_every_call_needs_a_token(world: World) -> None:
    for method, path, body in (
        ("POST", "/api/search", {"query": QUERY}),
        ("POST", "/internal/search/retrieve", {"query": QUERY}),
        ("GET", f"/internal/search/documents/{uuid.uuid4()}/passages", None),
    ):
        answer = await world.client.request(method, path, json=body)
        assert answer.status_code == 401, path
    routes = route_declarations(world.app)
    for route in (
        "POST /api/search",
        "POST /internal/search/retrieve",
        "GET /internal/search/documents/{document_id}/passages",
    ):
        assert [repr(d) for d in routes[route] if isinstance(d, Authorize)] == [
            "Authorize('search:read')"
        ]


async def test_a_moved_document_takes_its_new_collections_permissions(
    world: World, setup: Setup
) -> None:
    viewer = world.headers("viewer")
    member = world.headers("viewer", user_id=setup.member)
    moved = setup.open_doc
    assert moved.document_id in await documents_seen(world, viewer)
    await world._apply(
        DocumentUpdated(
            document_id=moved.document_id,
            collection_id=setup.secret_doc.collection_id,
            title=moved.title,
        )
    )
    assert await documents_seen(world, viewer) == set()
    assert await documents_seen(world, member) == {moved.document_id, setup.secret_doc.document_id}
    # Filtering by the old collection finds nothing of it any more.
    assert await documents_seen(world, member, collection_ids=[str(moved.collection_id)]) == set()
