"""Permission-aware retrieval: the access projection, fed by real documents events through
the search consumer group's handlers, and who may read which collection."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionDeleted,
    CollectionMemberGranted,
    CollectionMemberRevoked,
    CollectionVisibilityChanged,
)
from sift.core.db import Database
from sift.search.access.repository import (
    collection_access_repository,
    index_version_repository,
)
from tests.search.access_helpers import apply, at, envelope, principal, truncate_access

ROLES = ("owner", "admin", "editor", "viewer")


def created(collection_id: uuid.UUID, visibility: str) -> CollectionCreated:
    return CollectionCreated(
        collection_id=collection_id, visibility=visibility, created_by=uuid.uuid4()
    )


def granted(
    collection_id: uuid.UUID, user_id: uuid.UUID, role: str = "viewer"
) -> CollectionMemberGranted:
    return CollectionMemberGranted(collection_id=collection_id, user_id=user_id, role=role)


def revoked(collection_id: uuid.UUID, user_id: uuid.UUID) -> CollectionMemberRevoked:
    return CollectionMemberRevoked(
        collection_id=collection_id, user_id=user_id, previous_role="viewer"
    )


def visibility(
    collection_id: uuid.UUID, old: str, new: str, members: list[uuid.UUID] | None = None
) -> CollectionVisibilityChanged:
    return CollectionVisibilityChanged(
        collection_id=collection_id, old_visibility=old, new_visibility=new, members=members or []
    )


async def reads(
    session: AsyncSession, role: str, org: uuid.UUID, user: uuid.UUID, cid: uuid.UUID
) -> bool:
    who = principal(role, org, user)
    listed = cid in await collection_access_repository.readable_ids(session, who)
    single = await collection_access_repository.can_read(session, who, cid)
    assert listed == single, "the list and the single check disagree"
    return single


@pytest.mark.parametrize("api_key", [False, True], ids=["token", "api-key"])
@pytest.mark.parametrize("grant", [None, "viewer", "editor", "manager"])
@pytest.mark.parametrize("kind", ["org", "restricted"])
@pytest.mark.parametrize("role", ROLES)
async def test_permission_matrix(
    session: AsyncSession, role: str, kind: str, grant: str | None, api_key: bool
) -> None:
    org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    events = [envelope(created(cid, kind), org, at(0))]
    if grant is not None:
        if kind == "org":  # grants only exist on restricted collections; test the leftover case
            events.append(envelope(visibility(cid, "org", "restricted", [user]), org, at(1)))
            events.append(envelope(granted(cid, user, grant), org, at(2)))
            events.append(envelope(visibility(cid, "restricted", "org"), org, at(3)))
        else:
            events.append(envelope(granted(cid, user, grant), org, at(1)))
    await apply(session, *events)
    other_org_collection = uuid.uuid4()
    await apply(session, envelope(created(other_org_collection, "org"), uuid.uuid4(), at(0)))

    who = principal(role, org, user, api_key=api_key)
    expected = role in ("owner", "admin") or kind == "org" or grant is not None
    assert (cid in await collection_access_repository.readable_ids(session, who)) is expected
    assert await collection_access_repository.can_read(session, who, cid) is expected
    # Never another organization's collections, whatever the role.
    assert other_org_collection not in await collection_access_repository.readable_ids(session, who)
    assert not await collection_access_repository.can_read(session, who, other_org_collection)


async def test_without_documents_read_nothing_is_readable(session: AsyncSession) -> None:
    org, cid = uuid.uuid4(), uuid.uuid4()
    await apply(session, envelope(created(cid, "org"), org, at(0)))
    who = principal("owner", org)
    blind = type(who)(**{**who.__dict__, "permissions": frozenset()})
    assert await collection_access_repository.readable_ids(session, blind) == []
    assert await collection_access_repository.readable_ids(session, who) == [cid]


async def test_a_revoked_grant_no_longer_reads(session: AsyncSession) -> None:
    org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await apply(
        session,
        envelope(created(cid, "restricted"), org, at(0)),
        envelope(granted(cid, user, "editor"), org, at(1)),
    )
    assert await reads(session, "editor", org, user, cid)

    await apply(session, envelope(revoked(cid, user), org, at(2)))

    assert not await reads(session, "editor", org, user, cid)
    assert await reads(session, "admin", org, uuid.uuid4(), cid)
    # Granted again later: reads again.
    await apply(session, envelope(granted(cid, user), org, at(3)))
    assert await reads(session, "viewer", org, user, cid)


async def test_visibility_changes_replace_who_reads(session: AsyncSession) -> None:
    org, cid = uuid.uuid4(), uuid.uuid4()
    member, outsider = uuid.uuid4(), uuid.uuid4()
    await apply(session, envelope(created(cid, "org"), org, at(0)))
    assert await reads(session, "viewer", org, outsider, cid)

    await apply(session, envelope(visibility(cid, "org", "restricted", [member]), org, at(1)))
    assert await reads(session, "viewer", org, member, cid)
    assert not await reads(session, "editor", org, outsider, cid)
    assert await reads(session, "owner", org, outsider, cid)

    await apply(session, envelope(visibility(cid, "restricted", "org"), org, at(2)))
    assert await reads(session, "viewer", org, outsider, cid)

    # Restricted again with nobody listed: the earlier member's grant is gone too.
    await apply(session, envelope(visibility(cid, "org", "restricted", []), org, at(3)))
    assert not await reads(session, "viewer", org, member, cid)
    assert not await reads(session, "viewer", org, outsider, cid)


async def test_a_deleted_collection_is_unreadable_and_stays_deleted(session: AsyncSession) -> None:
    org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await apply(
        session,
        envelope(created(cid, "restricted"), org, at(0)),
        envelope(granted(cid, user), org, at(1)),
    )
    await apply(session, envelope(CollectionDeleted(collection_id=cid), org, at(5)))

    assert not await reads(session, "owner", org, user, cid)
    assert not await reads(session, "viewer", org, user, cid)
    # Late deliveries of earlier events do not bring it back.
    await apply(
        session,
        envelope(created(cid, "org"), org, at(0)),
        envelope(visibility(cid, "restricted", "org"), org, at(2)),
        envelope(granted(cid, user), org, at(3)),
    )
    assert not await reads(session, "owner", org, user, cid)
    assert not await reads(session, "viewer", org, user, cid)


async def test_unknown_collections_are_unreadable(session: AsyncSession) -> None:
    """Created before the projection existed (or its event still in flight): safe default."""
    org = uuid.uuid4()
    assert not await reads(session, "owner", org, uuid.uuid4(), uuid.uuid4())


# Out-of-order delivery converges to what in-order delivery gives.


async def test_a_grant_before_the_collection_is_known(session: AsyncSession) -> None:
    org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await apply(session, envelope(granted(cid, user), org, at(1)))
    assert not await reads(session, "viewer", org, user, cid)
    await apply(session, envelope(created(cid, "restricted"), org, at(0)))
    assert await reads(session, "viewer", org, user, cid)


async def test_a_revoke_before_its_grant(session: AsyncSession) -> None:
    org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await apply(
        session,
        envelope(created(cid, "restricted"), org, at(0)),
        envelope(revoked(cid, user), org, at(2)),
        envelope(granted(cid, user), org, at(1)),
    )
    assert not await reads(session, "viewer", org, user, cid)


async def test_an_old_visibility_change_after_a_newer_one(session: AsyncSession) -> None:
    org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await apply(
        session,
        envelope(visibility(cid, "org", "restricted", []), org, at(2)),
        envelope(created(cid, "org"), org, at(0)),
        envelope(visibility(cid, "restricted", "org"), org, at(1)),
    )
    assert not await reads(session, "viewer", org, user, cid)


async def test_a_grant_older_than_a_member_list_is_void(session: AsyncSession) -> None:
    org, cid = uuid.uuid4(), uuid.uuid4()
    listed, dropped = uuid.uuid4(), uuid.uuid4()
    await apply(
        session,
        envelope(created(cid, "org"), org, at(0)),
        envelope(visibility(cid, "org", "restricted", [listed]), org, at(3)),
        # Granted at 1, revoked at 2, but these arrive late: the list at 3 already says no.
        envelope(granted(cid, dropped), org, at(1)),
    )
    assert await reads(session, "viewer", org, listed, cid)
    assert not await reads(session, "viewer", org, dropped, cid)
    # A grant after the list counts.
    await apply(session, envelope(granted(cid, dropped), org, at(4)))
    assert await reads(session, "viewer", org, dropped, cid)


async def test_every_change_moves_the_org_index_version(session: AsyncSession) -> None:
    org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert await index_version_repository.get(session, org) == 0
    versions = []
    for wrapped in (
        envelope(created(cid, "restricted"), org, at(0)),
        envelope(granted(cid, user), org, at(1)),
        envelope(revoked(cid, user), org, at(2)),
        envelope(visibility(cid, "restricted", "org"), org, at(3)),
        envelope(CollectionDeleted(collection_id=cid), org, at(4)),
    ):
        await apply(session, wrapped)
        versions.append(await index_version_repository.get(session, org))
    assert versions == sorted(set(versions)) and versions[0] >= 1
    assert await index_version_repository.get(session, uuid.uuid4()) == 0  # other orgs untouched


async def test_concurrent_out_of_order_events_about_one_collection_serialize(
    database: Database,
) -> None:
    """Two consumers apply a late grant and a newer member list at once: the list, applied
    second, must still see (and drop) the grant, not miss it as an uncommitted row."""
    await truncate_access(database)
    try:
        org, cid, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        async with database.sessionmaker() as session, session.begin():
            await apply(session, envelope(created(cid, "org"), org, at(0)))

        async def replace_members() -> None:
            async with database.sessionmaker() as other, other.begin():
                await apply(other, envelope(visibility(cid, "org", "restricted", []), org, at(3)))

        async with database.sessionmaker() as session, session.begin():
            await apply(session, envelope(granted(cid, user), org, at(1)))
            replacing = asyncio.create_task(replace_members())
            await asyncio.sleep(0.5)
            assert not replacing.done(), "the member list did not wait for the grant"
        await asyncio.wait_for(replacing, timeout=10)

        async with database.read_sessionmaker() as session:
            assert not await reads(session, "viewer", org, user, cid)
    finally:
        await truncate_access(database)
