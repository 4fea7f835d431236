"""Saved searches: the API (CRUD, ownership, validation, pagination, limits) and the
events it publishes for the audit log."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import (
    CollectionCreated,
)
from sift.search.config import SearchSettings
from sift.search.models import OutboxEvent
from sift.search.saved.endpoints import search_settings
from tests.search.access_helpers import apply, at, envelope
from tests.search.saved_helpers import SavedApi, api

__all__ = ["api"]  # fixtures

ROLES = ("owner", "admin", "editor", "viewer")


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
