"""Saved searches: the notifications of new matches, judged with the owner's access
(what search knows of collections and of the owners' roles)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionMemberGranted,
)
from sift.contracts.events.identity import MemberRemoved, MemberRoleChanged
from tests.search.access_helpers import apply, at, envelope
from tests.search.saved_helpers import SavedApi, api, index_version, matched

__all__ = ["api"]  # fixtures


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
