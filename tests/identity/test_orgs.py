"""Organizations: create, list, switch; members: roles, removal, the last owner."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.permissions import Role
from tests.identity.conftest import Identity, Member, add_member, make_org, outbox_events


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def test_create_list_get_and_switch(identity: Identity, session: AsyncSession) -> None:
    body = await identity.signup("ada@example.com")
    token = body["access_token"]
    personal = claims(token)["org"]

    created = await identity.client.post("/api/orgs", json={"name": "Acme"}, headers=bearer(token))
    assert created.status_code == 201
    acme = created.json()
    assert (acme["name"], acme["role"], acme["personal"], acme["current"]) == (
        "Acme",
        "owner",
        False,
        False,
    )
    listed = (await identity.client.get("/api/orgs", headers=bearer(token))).json()["items"]
    assert [(o["id"], o["current"]) for o in listed] == [(personal, True), (acme["id"], False)]
    got = await identity.client.get(f"/api/orgs/{acme['id']}", headers=bearer(token))
    assert got.json()["id"] == acme["id"]

    switched = await identity.client.post(f"/api/orgs/{acme['id']}/switch", headers=bearer(token))
    assert switched.status_code == 200
    new_token = switched.json()["access_token"]
    assert (claims(new_token)["org"], claims(new_token)["role"]) == (acme["id"], "owner")
    assert switched.json()["organization"]["current"] is True
    # The session follows: a refresh (and the next sign-in) stay in the new organization.
    assert claims((await identity.refresh()).json()["access_token"])["org"] == acme["id"]
    assert (
        claims((await identity.login("ada@example.com")).json()["access_token"])["org"]
        == acme["id"]
    )
    created_events = await outbox_events(session, "org.created")
    assert [event["data"]["personal"] for event in created_events] == [True, False]


async def test_an_organization_one_does_not_belong_to_is_404(
    identity: Identity, session: AsyncSession
) -> None:
    outsider = await identity.signup("eve@example.com")
    org = await make_org(session)
    for method, path in (("GET", f"/api/orgs/{org.id}"), ("POST", f"/api/orgs/{org.id}/switch")):
        answer = await identity.client.request(
            method, path, headers=bearer(outsider["access_token"])
        )
        assert answer.status_code == 404


async def test_members_are_listed_page_by_page(identity: Identity, session: AsyncSession) -> None:
    org = await make_org(session)
    owner = await add_member(session, identity, org, Role.owner)
    for _ in range(4):
        await add_member(session, identity, org, Role.viewer)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await identity.client.get(
            f"/api/orgs/{org.id}/members", params=params, headers=owner.headers
        )
        assert page.status_code == 200
        seen += [member["user_id"] for member in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    bad = await identity.client.get(
        f"/api/orgs/{org.id}/members", params={"cursor": "!!"}, headers=owner.headers
    )
    assert bad.status_code == 400
    assert bad.json()["type"].endswith("/invalid-cursor")


async def test_org_endpoints_act_on_the_current_organization_only(
    identity: Identity, session: AsyncSession
) -> None:
    first, second = await make_org(session, "One"), await make_org(session, "Two")
    owner = await add_member(session, identity, first, Role.owner)
    await add_member(session, identity, second, Role.owner, user=owner.user)
    answer = await identity.client.get(f"/api/orgs/{second.id}/members", headers=owner.headers)
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/not-current-organization")


async def _team(identity: Identity, session: AsyncSession) -> dict[str, Member]:
    org = await make_org(session)
    return {
        role: await add_member(session, identity, org, role)
        for role in ("owner", "admin", "editor", "viewer")
    }


async def test_roles_change_and_the_change_is_an_event(
    identity: Identity, session: AsyncSession
) -> None:
    team = await _team(identity, session)
    org_id, viewer = team["owner"].org.id, team["viewer"]
    answer = await identity.client.patch(
        f"/api/orgs/{org_id}/members/{viewer.user.id}",
        json={"role": "editor"},
        headers=team["admin"].headers,
    )
    assert answer.status_code == 200 and answer.json()["role"] == "editor"
    # The viewer's token no longer matches its role.
    me = await identity.client.get("/api/users/me", headers=viewer.headers)
    assert me.status_code == 401
    [event] = await outbox_events(session, "member.role_changed")
    assert (event["data"]["old_role"], event["data"]["new_role"]) == ("viewer", "editor")
    assert event["actor_id"] == str(team["admin"].user.id)


async def test_admins_cannot_touch_owners(identity: Identity, session: AsyncSession) -> None:
    team = await _team(identity, session)
    org_id, admin = team["owner"].org.id, team["admin"]
    for method, user, body in (
        ("PATCH", team["owner"].user.id, {"role": "viewer"}),
        ("PATCH", team["editor"].user.id, {"role": "owner"}),
        ("DELETE", team["owner"].user.id, None),
    ):
        answer = await identity.client.request(
            method, f"/api/orgs/{org_id}/members/{user}", json=body, headers=admin.headers
        )
        assert answer.status_code == 403
        assert answer.json()["type"].endswith("/owners-only")


async def test_an_organization_keeps_at_least_one_owner(
    identity: Identity, session: AsyncSession
) -> None:
    team = await _team(identity, session)
    org_id, owner = team["owner"].org.id, team["owner"]
    demote = await identity.client.patch(
        f"/api/orgs/{org_id}/members/{owner.user.id}", json={"role": "admin"}, headers=owner.headers
    )
    assert demote.status_code == 409 and demote.json()["type"].endswith("/last-owner")
    leave = await identity.client.delete(
        f"/api/orgs/{org_id}/members/{owner.user.id}", headers=owner.headers
    )
    assert leave.status_code == 409

    promote = await identity.client.patch(
        f"/api/orgs/{org_id}/members/{team['admin'].user.id}",
        json={"role": "owner"},
        headers=owner.headers,
    )
    assert promote.status_code == 200
    leave = await identity.client.delete(
        f"/api/orgs/{org_id}/members/{owner.user.id}", headers=owner.headers
    )
    assert leave.status_code == 204


async def test_removing_a_member(identity: Identity, session: AsyncSession) -> None:
    team = await _team(identity, session)
    org_id, editor = team["owner"].org.id, team["editor"]
    removed = await identity.client.delete(
        f"/api/orgs/{org_id}/members/{editor.user.id}", headers=team["admin"].headers
    )
    assert removed.status_code == 204
    assert (await identity.client.get("/api/users/me", headers=editor.headers)).status_code == 401
    again = await identity.client.delete(
        f"/api/orgs/{org_id}/members/{editor.user.id}", headers=team["admin"].headers
    )
    assert again.status_code == 404
    [event] = await outbox_events(session, "member.removed")
    assert event["data"] == {
        "org_id": str(org_id),
        "user_id": str(editor.user.id),
        "role": "editor",
    }


async def test_only_owners_rename_the_organization(
    identity: Identity, session: AsyncSession
) -> None:
    team = await _team(identity, session)
    org_id = team["owner"].org.id
    renamed = await identity.client.patch(
        f"/api/orgs/{org_id}", json={"name": "Acme Inc"}, headers=team["owner"].headers
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme Inc"
    [event] = await outbox_events(session, "org.renamed")
    assert event["data"] == {
        "org_id": str(org_id),
        "renamed_by": str(team["owner"].user.id),
        "name": "Acme Inc",
    }
    for role in ("admin", "editor", "viewer"):
        refused = await identity.client.patch(
            f"/api/orgs/{org_id}", json={"name": "Mine"}, headers=team[role].headers
        )
        assert refused.status_code == 403
    # The same name again changes nothing and tells nobody.
    again = await identity.client.patch(
        f"/api/orgs/{org_id}", json={"name": "Acme Inc"}, headers=team["owner"].headers
    )
    assert again.status_code == 200
    assert len(await outbox_events(session, "org.renamed")) == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, 42])
async def test_a_bad_organization_name_is_refused(
    identity: Identity, session: AsyncSession, name: object
) -> None:
    team = await _team(identity, session)
    answer = await identity.client.patch(
        f"/api/orgs/{team['owner'].org.id}", json={"name": name}, headers=team["owner"].headers
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["loc"][:2] == ["body", "name"]
