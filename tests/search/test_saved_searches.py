"""Saved searches: the API (CRUD, ownership, validation, pagination, limits) and the
notifications of new matches, judged with the owner's access."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionMemberGranted,
    DocumentIndexed,
    DocumentUploaded,
)
from sift.contracts.events.identity import MemberRemoved, MemberRoleChanged
from sift.contracts.events.search import SavedSearchMatched
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.search.app import create_app
from sift.search.config import SearchSettings
from sift.search.models import Chunk, DocumentIndex, IndexStatus, OutboxEvent
from sift.search.saved.endpoints import search_settings
from tests.conftest import TransactionalDatabase
from tests.core.auth.conftest import SigningKey, claims_for, ed25519_key
from tests.documents.conftest import StaticKeys
from tests.search.access_helpers import apply, at, envelope

ROLES = ("owner", "admin", "editor", "viewer")


@dataclass
class Caller:
    user_id: uuid.UUID
    org_id: uuid.UUID
    role: str
    headers: dict[str, str]


@dataclass
class SavedApi:
    app: FastAPI
    client: httpx.AsyncClient
    key: SigningKey
    settings: CoreSettings
    org_id: uuid.UUID

    def caller(
        self,
        role: str = "viewer",
        *,
        user_id: uuid.UUID | None = None,
        org_id: uuid.UUID | None = None,
    ) -> Caller:
        user_id, org_id = user_id or uuid.uuid4(), org_id or self.org_id
        token = self.key.sign(
            claims_for(self.settings, role=role, sub=str(user_id), org=str(org_id))
        )
        return Caller(user_id, org_id, role, {"Authorization": f"Bearer {token}"})

    async def create(self, caller: Caller, **body: Any) -> httpx.Response:
        return await self.client.post("/api/saved-searches", headers=caller.headers, json=body)

    async def created(self, caller: Caller, **body: Any) -> dict[str, Any]:
        body.setdefault("name", f"search {uuid.uuid4().hex[:6]}")
        body.setdefault("query", "quarterly revenue")
        answer = await self.create(caller, **body)
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result


@pytest.fixture
async def api(
    settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> AsyncIterator[SavedApi]:
    app = create_app(settings)
    key = ed25519_key()
    verifier = TokenVerifier(StaticKeys(key), issuer=settings.public_url, config=AuthSettings())
    Authenticator.install(app, Authenticator(verifier))
    async with app.router.lifespan_context(app):
        await app.state.database.dispose()
        app.state.database = TransactionalDatabase(db_connection, database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield SavedApi(app, client, key, settings, uuid.uuid4())


# The API.


@pytest.mark.parametrize("role", ROLES)
async def test_create_get_list_delete(api: SavedApi, session: AsyncSession, role: str) -> None:
    me = api.caller(role)
    collection_id = uuid.uuid4()
    created = CollectionCreated(
        collection_id=collection_id, visibility="org", created_by=me.user_id
    )
    await apply(session, envelope(created, api.org_id, at(0)))
    body = {
        "name": "  Revenue   watch ",
        "query": "quarterly revenue",
        "filters": {
            "mode": "fulltext",
            "collection_ids": [str(collection_id)],
            "tags": ["finance"],
            "mime_types": ["Application/PDF"],
            "created_after": "2026-01-01T00:00:00Z",
        },
        "notify": True,
    }
    answer = await api.create(me, **body)
    assert answer.status_code == 201, answer.text
    saved = answer.json()
    assert saved["name"] == "Revenue watch"
    assert saved["notify"] is True
    assert saved["filters"]["mode"] == "fulltext"
    assert saved["filters"]["mime_types"] == ["application/pdf"]
    assert saved["filters"]["created_before"] is None

    got = await api.client.get(f"/api/saved-searches/{saved['id']}", headers=me.headers)
    assert got.status_code == 200 and got.json() == saved
    listed = await api.client.get("/api/saved-searches", headers=me.headers)
    assert listed.json() == {"items": [saved], "next_cursor": None}

    gone = await api.client.delete(f"/api/saved-searches/{saved['id']}", headers=me.headers)
    assert gone.status_code == 204
    again = await api.client.get(f"/api/saved-searches/{saved['id']}", headers=me.headers)
    assert again.status_code == 404
    assert again.headers["content-type"].startswith("application/problem+json")
    assert (
        await api.client.delete(f"/api/saved-searches/{saved['id']}", headers=me.headers)
    ).status_code == 404


async def test_nobody_else_sees_a_saved_search(api: SavedApi) -> None:
    me = api.caller("viewer")
    saved = await api.created(me)
    others = [
        api.caller("owner"),  # even the organization's owner
        api.caller("viewer", org_id=uuid.uuid4(), user_id=me.user_id),  # me, in another org
    ]
    for other in others:
        path = f"/api/saved-searches/{saved['id']}"
        assert (await api.client.get(path, headers=other.headers)).status_code == 404
        assert (await api.client.delete(path, headers=other.headers)).status_code == 404
        listed = await api.client.get("/api/saved-searches", headers=other.headers)
        assert listed.json()["items"] == []
    assert (
        await api.client.get(f"/api/saved-searches/{saved['id']}", headers=me.headers)
    ).status_code == 200


async def test_calls_need_a_valid_token(api: SavedApi) -> None:
    assert (await api.client.get("/api/saved-searches")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await api.client.post("/api/saved-searches", headers=bad, json={})).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"query": "q"},
        {"name": "n"},
        {"name": "   ", "query": "q"},
        {"name": "n", "query": "   "},
        {"name": "n", "query": "x" * 1001},
        {"name": "n", "query": "nul \x00 byte"},
        {"name": "n", "query": "q", "notify": "maybe"},
        {"name": "n", "query": "q", "unknown": 1},
        {"name": "n", "query": "q", "filters": {"mode": "magic"}},
        {"name": "n", "query": "q", "filters": {"colour": "red"}},
        {"name": "n", "query": "q", "filters": {"collection_ids": ["not-a-uuid"]}},
        {"name": "n", "query": "q", "filters": {"tags": ["x" * 51]}},
        {"name": "n", "query": "q", "filters": {"mime_types": ["pdf"]}},
        {"name": "n", "query": "q", "filters": {"created_after": "2026-01-01T00:00:00"}},
        {
            "name": "n",
            "query": "q",
            "filters": {
                "created_after": "2026-02-01T00:00:00Z",
                "created_before": "2026-01-01T00:00:00Z",
            },
        },
    ],
)
async def test_invalid_bodies_are_422(api: SavedApi, body: dict[str, Any]) -> None:
    answer = await api.client.post("/api/saved-searches", headers=api.caller().headers, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"]


async def test_a_name_is_used_once_per_user(api: SavedApi) -> None:
    me = api.caller()
    await api.created(me, name="Weekly")
    taken = await api.create(me, name="Weekly", query="other")
    assert taken.status_code == 409
    assert taken.json()["type"].endswith("saved-search-name-taken")
    assert (await api.create(api.caller(), name="Weekly", query="q")).status_code == 201


async def test_at_most_the_configured_number_per_user(api: SavedApi) -> None:
    api.app.dependency_overrides[search_settings] = lambda: SearchSettings(
        saved_searches_per_user=2
    )
    me = api.caller()
    await api.created(me)
    await api.created(me)
    refused = await api.create(me, name="third", query="q")
    assert refused.status_code == 409
    assert refused.json()["limit"] == 2
    assert (await api.create(api.caller(), name="third", query="q")).status_code == 201


async def test_the_list_is_paginated_newest_first(api: SavedApi) -> None:
    me = api.caller()
    made = [await api.created(me, name=f"s{i}") for i in range(5)]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (
            await api.client.get("/api/saved-searches", headers=me.headers, params=params)
        ).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [saved["name"] for saved in reversed(made)]
    broken = await api.client.get("/api/saved-searches?cursor=%%%", headers=me.headers)
    assert broken.status_code == 400
    assert (
        await api.client.get("/api/saved-searches?limit=101", headers=me.headers)
    ).status_code == 422


# Notifications of new matches.

SHA = "b" * 64
UNIT = [1.0] + [0.0] * 383


async def index_version(
    session: AsyncSession,
    org: uuid.UUID,
    collection_id: uuid.UUID,
    texts: list[str],
    *,
    tags: list[str],
) -> DocumentIndexed:
    """A document announced by the documents service and indexed with `texts` as chunks."""
    document_id, version_id = uuid.uuid4(), uuid.uuid4()
    uploaded = DocumentUploaded(
        document_id=document_id,
        version_id=version_id,
        collection_id=collection_id,
        filename="report.txt",
        content_type="text/plain",
        size_bytes=10,
        sha256=SHA,
        storage_key=f"documents/{document_id}",
        title="Report",
        tags=tags,
    )
    await apply(session, envelope(uploaded, org, at(1)))  # the projection (and ingestion's queue)
    state = await session.get(DocumentIndex, version_id)
    assert state is not None
    state.status = IndexStatus.indexed
    session.add_all(
        Chunk(
            id=uuid.uuid4(),
            org_id=org,
            collection_id=collection_id,
            document_id=document_id,
            version_id=version_id,
            ordinal=ordinal,
            start_char=0,
            end_char=len(text),
            text=text,
            token_count=len(text.split()),
            text_search_config="english",
            embedding=UNIT,
            embedding_model="all-MiniLM-L6-v2",
        )
        for ordinal, text in enumerate(texts)
    )
    await session.flush()
    return DocumentIndexed(
        document_id=document_id,
        version_id=version_id,
        collection_id=collection_id,
        chunk_count=len(texts),
        embedding_model="all-MiniLM-L6-v2",
        duration_ms=10,
    )


async def matched(session: AsyncSession) -> list[SavedSearchMatched]:
    rows = await session.scalars(
        select(OutboxEvent.envelope)
        .where(OutboxEvent.type == "search.saved_search_matched")
        .order_by(OutboxEvent.position)
    )
    return [EventEnvelope.model_validate(raw).payload_as(SavedSearchMatched) for raw in rows]


async def test_new_matches_are_announced_to_owners_who_may_read_them(
    api: SavedApi, session: AsyncSession
) -> None:
    org = api.org_id
    open_id, secret_id = uuid.uuid4(), uuid.uuid4()
    reader, insider, admin = api.caller("viewer"), api.caller("editor"), api.caller("admin")
    await apply(
        session,
        envelope(
            CollectionCreated(collection_id=open_id, visibility="org", created_by=admin.user_id),
            org,
            at(0),
        ),
        envelope(
            CollectionCreated(
                collection_id=secret_id, visibility="restricted", created_by=admin.user_id
            ),
            org,
            at(0),
        ),
        envelope(
            CollectionMemberGranted(
                collection_id=secret_id, user_id=insider.user_id, role="viewer"
            ),
            org,
            at(0.5),
        ),
    )
    wanted = "quarterly revenue"
    readers = await api.created(reader, query=wanted, notify=True)
    await api.created(reader, query="zebra migration", notify=True)  # matches nothing
    await api.created(reader, query=wanted, notify=False)  # did not ask to be told
    tagged = await api.created(reader, query=wanted, notify=True, filters={"tags": ["FINANCE"]})
    await api.created(reader, query=wanted, notify=True, filters={"tags": ["hr"]})
    # A collection the owner cannot read is refused (tests/search/test_collection_scope.py).
    refused = await api.create(
        reader,
        name="secret watch",
        query=wanted,
        notify=True,
        filters={"collection_ids": [str(secret_id)]},
    )
    assert refused.status_code == 422
    insiders = await api.created(insider, query='"revenue grew"', notify=True)
    admins = await api.created(admin, query="revenue -zebra", notify=True)
    await api.created(api.caller("viewer", org_id=uuid.uuid4()), query=wanted, notify=True)

    texts = [
        "The quarterly revenue grew by ten percent.",
        "Revenue for the quarter grew again; quarterly figures follow.",
        "Nothing about money here.",
    ]
    open_version = await index_version(session, org, open_id, texts, tags=["finance"])
    secret_version = await index_version(session, org, secret_id, texts, tags=["finance"])

    await apply(session, envelope(open_version, org, at(2), producer="search"))
    await apply(session, envelope(secret_version, org, at(3), producer="search"))

    got = {(m.saved_search_id, m.document_id, m.match_count) for m in await matched(session)}
    assert got == {
        (uuid.UUID(readers["id"]), open_version.document_id, 2),
        (uuid.UUID(tagged["id"]), open_version.document_id, 2),
        (uuid.UUID(insiders["id"]), open_version.document_id, 1),
        (uuid.UUID(insiders["id"]), secret_version.document_id, 1),
        (uuid.UUID(admins["id"]), open_version.document_id, 2),
        (uuid.UUID(admins["id"]), secret_version.document_id, 2),
    }
    for event in await matched(session):
        assert event.user_id in {reader.user_id, insider.user_id, admin.user_id}
        assert event.version_id in {open_version.version_id, secret_version.version_id}

    # The same version indexed again (a re-index, or a redelivery under a new ID): no repeat.
    await apply(session, envelope(open_version, org, at(4), producer="search"))
    superseded = open_version.model_copy(update={"superseded": True, "chunk_count": 0})
    await apply(session, envelope(superseded, org, at(5), producer="search"))
    assert len(await matched(session)) == 6


async def test_a_deleted_saved_search_is_no_longer_matched(
    api: SavedApi, session: AsyncSession
) -> None:
    org, cid = api.org_id, uuid.uuid4()
    me = api.caller("viewer")
    await apply(
        session,
        envelope(
            CollectionCreated(collection_id=cid, visibility="org", created_by=me.user_id),
            org,
            at(0),
        ),
    )
    saved = await api.created(me, query="budget", notify=True)
    deleted = await api.client.delete(f"/api/saved-searches/{saved['id']}", headers=me.headers)
    assert deleted.status_code == 204

    version = await index_version(session, org, cid, ["The budget is approved."], tags=[])
    await apply(session, envelope(version, org, at(2), producer="search"))

    assert await matched(session) == []


async def test_unknown_collections_never_match(api: SavedApi, session: AsyncSession) -> None:
    """A collection search has not heard of is unreadable, even to an admin."""
    me = api.caller("admin")
    await api.created(me, query="budget", notify=True)
    version = await index_version(
        session, api.org_id, uuid.uuid4(), ["The budget is approved."], tags=[]
    )
    await apply(session, envelope(version, api.org_id, at(2), producer="search"))
    assert await matched(session) == []


async def test_the_owner_role_follows_identity_and_a_removed_member_loses_their_searches(
    api: SavedApi, session: AsyncSession
) -> None:
    org, secret_id = api.org_id, uuid.uuid4()
    demoted, removed, admin = api.caller("admin"), api.caller("admin"), api.caller("admin")
    await apply(
        session,
        envelope(
            CollectionCreated(
                collection_id=secret_id, visibility="restricted", created_by=admin.user_id
            ),
            org,
            at(0),
        ),
    )
    await api.created(demoted, query="budget", notify=True)
    await api.created(removed, query="budget", notify=True)
    kept = await api.created(admin, query="budget", notify=True)
    # Identity demotes one admin to viewer (no grant on the restricted collection) and
    # removes the other from the organization; neither has used search since.
    await apply(
        session,
        envelope(
            MemberRoleChanged(
                org_id=org, user_id=demoted.user_id, old_role="admin", new_role="viewer"
            ),
            org,
            at(1),
            producer="identity",
        ),
        envelope(
            MemberRemoved(org_id=org, user_id=removed.user_id, role="admin"),
            org,
            at(1),
            producer="identity",
        ),
    )

    version = await index_version(session, org, secret_id, ["The budget is approved."], tags=[])
    await apply(session, envelope(version, org, at(2), producer="search"))
    assert [m.saved_search_id for m in await matched(session)] == [uuid.UUID(kept["id"])]
    listed = await api.client.get("/api/saved-searches", headers=removed.headers)
    assert listed.status_code == 200 and listed.json()["items"] == []


async def test_saving_and_deleting_a_search_are_published_for_the_audit_log(
    api: SavedApi, session: AsyncSession
) -> None:
    owner = api.caller("editor")
    saved = await api.created(owner, query="secret plans", notify=True)
    gone = await api.client.delete(f"/api/saved-searches/{saved['id']}", headers=owner.headers)
    assert gone.status_code == 204
    missing = await api.client.delete(f"/api/saved-searches/{saved['id']}", headers=owner.headers)
    assert missing.status_code == 404

    envelopes = list(
        await session.scalars(
            select(OutboxEvent.envelope)
            .where(
                OutboxEvent.type.in_(["search.saved_search_created", "search.saved_search_deleted"])
            )
            .order_by(OutboxEvent.position)
        )
    )
    assert [e["type"] for e in envelopes] == [
        "search.saved_search_created",
        "search.saved_search_deleted",
    ]
    for published in envelopes:
        assert published["actor_id"] == str(owner.user_id)
        assert published["org_id"] == str(owner.org_id)
        assert published["data"]["saved_search_id"] == saved["id"]
        assert "secret plans" not in str(published)  # the query is the owner's, not copied
    assert envelopes[0]["data"]["notify"] is True
