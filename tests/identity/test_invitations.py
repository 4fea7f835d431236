"""Invitations: signed, expiring, single-use links that only the invited person can use."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import LINK_SEAL_PURPOSE
from sift.core.auth.permissions import Role
from sift.core.auth.sealing import unseal
from sift.core.config import CoreSettings
from sift.identity.models import Invitation, Membership, SingleUseToken
from tests.identity.conftest import (
    Identity,
    IdentityFactory,
    Member,
    add_member,
    cheap_config,
    make_org,
    make_user,
    outbox_events,
)


async def _invite(
    identity: Identity,
    session: AsyncSession,
    settings: CoreSettings,
    inviter: Member,
    email: str,
    role: str = "editor",
) -> str:
    answer = await identity.client.post(
        f"/api/orgs/{inviter.org.id}/invitations",
        json={"email": email, "role": role},
        headers=inviter.headers,
    )
    assert answer.status_code == 201, answer.text
    created = (await outbox_events(session, "invitation.created"))[-1]
    link = unseal(settings, LINK_SEAL_PURPOSE, created["data"]["link"])
    assert link.startswith(f"{settings.public_url}/invitations?token=")
    return link.split("token=", 1)[1]


async def _accept(identity: Identity, member: Member, token: str) -> Any:
    return await identity.client.post(f"/api/invitations/{token}/accept", headers=member.headers)


async def test_the_invited_person_joins_with_the_role_once(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session, "Acme")
    admin = await add_member(session, identity, org, Role.admin)
    invitee_home = await make_org(session, "Home", personal=True)
    invitee = await add_member(
        session,
        identity,
        invitee_home,
        Role.owner,
        user=await make_user(session, "new@example.com"),
    )
    token = await _invite(identity, session, settings, admin, "NEW@example.com")
    [created] = await outbox_events(session, "invitation.created")
    assert created["data"]["email"] == "new@example.com"
    assert created["data"]["org_name"] == "Acme" and created["data"]["role"] == "editor"
    assert token not in str(created)

    accepted = await _accept(identity, invitee, token)
    assert accepted.status_code == 200
    assert (accepted.json()["id"], accepted.json()["role"]) == (str(org.id), "editor")
    membership = await session.scalar(
        select(Membership).where(Membership.org_id == org.id, Membership.user_id == invitee.user.id)
    )
    assert membership is not None and membership.role == "editor"
    await session.refresh(invitee.user)
    assert invitee.user.email_verified_at is not None  # the link reached the mailbox
    again = await _accept(identity, invitee, token)
    assert again.status_code == 400 and again.json()["type"].endswith("/invalid-link")
    assert len(await outbox_events(session, "invitation.accepted")) == 1


async def test_someone_else_cannot_use_the_link(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session)
    owner = await add_member(session, identity, org, Role.owner)
    token = await _invite(identity, session, settings, owner, "new@example.com")
    eve = await add_member(session, identity, await make_org(session), Role.owner)
    answer = await _accept(identity, eve, token)
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/invitation-for-another-address")
    # Still usable by the right person: the refused attempt did not use it up.
    used = await session.scalar(select(SingleUseToken.used_at))
    assert used is None


async def test_expired_revoked_and_forged_invitations_fail(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session)
    owner = await add_member(session, identity, org, Role.owner)
    user = await make_user(session, "new@example.com")
    invitee = await add_member(session, identity, await make_org(session), Role.owner, user=user)

    expired = await _invite(identity, session, settings, owner, "new@example.com")
    await session.execute(
        update(Invitation).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    assert (await _accept(identity, invitee, expired)).status_code == 400

    superseded = await _invite(identity, session, settings, owner, "new@example.com")
    latest = await _invite(identity, session, settings, owner, "new@example.com")
    assert (await _accept(identity, invitee, superseded)).status_code == 400
    assert (await _accept(identity, invitee, "F" * 43)).status_code == 400
    assert (await _accept(identity, invitee, latest)).status_code == 200


async def test_who_may_invite_whom(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session)
    owner = await add_member(session, identity, org, Role.owner)
    admin = await add_member(session, identity, org, Role.admin)
    editor = await add_member(session, identity, org, Role.editor)

    async def invite(member: Member, email: str, role: str) -> int:
        answer = await identity.client.post(
            f"/api/orgs/{org.id}/invitations",
            json={"email": email, "role": role},
            headers=member.headers,
        )
        return answer.status_code

    assert await invite(editor, "a@example.com", "viewer") == 403
    assert await invite(admin, "b@example.com", "owner") == 403
    assert await invite(owner, "c@example.com", "owner") == 201
    assert await invite(admin, editor.user.email, "viewer") == 409  # already a member
    assert await invite(admin, "not an address", "viewer") == 422


async def test_invitations_are_limited_per_inviter_and_per_organization(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    config = cheap_config(invitation_limit_per_inviter="3/minute", invitation_limit_per_org="5/day")
    async with identity_factory(config=config) as identity:
        org = await make_org(session)
        first = await add_member(session, identity, org, Role.admin)
        second = await add_member(session, identity, org, Role.admin)
        elsewhere = await add_member(session, identity, await make_org(session, "Other"), "admin")

        async def invite(member: Member, n: int) -> Any:
            return await identity.client.post(
                f"/api/orgs/{member.org.id}/invitations",
                json={"email": f"person{n}@example.com", "role": "viewer"},
                headers=member.headers,
            )

        assert [(await invite(first, n)).status_code for n in range(4)] == [201, 201, 201, 429]
        refused = await invite(first, 9)
        assert refused.json()["type"].endswith("/rate-limited")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # Another admin has their own budget, until the organization's is spent.
        answers = [await invite(second, n) for n in range(3)]
        assert [answer.status_code for answer in answers] == [201, 201, 429]
        assert int(answers[-1].headers["retry-after"]) > 3600
        # Other organizations are not affected.
        assert (await invite(elsewhere, 1)).status_code == 201
    assert len(await outbox_events(session, "invitation.created")) == 6


async def test_admins_list_the_pending_invitations_page_by_page(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session)
    admin = await add_member(session, identity, org, Role.admin)
    for n in range(3):
        await _invite(identity, session, settings, admin, f"person{n}@example.com")
    user = await make_user(session, "person0@example.com")
    invitee = await add_member(session, identity, await make_org(session), Role.owner, user=user)
    token = await _invite(identity, session, settings, admin, "person0@example.com")
    assert (await _accept(identity, invitee, token)).status_code == 200
    elsewhere = await add_member(session, identity, await make_org(session, "Other"), Role.admin)
    await _invite(identity, session, settings, elsewhere, "other@example.com")

    url = f"/api/orgs/{org.id}/invitations"
    first = await identity.client.get(url, params={"limit": 1}, headers=admin.headers)
    assert first.status_code == 200, first.text
    [item] = first.json()["items"]
    assert (item["email"], item["role"], item["invited_by"]) == (
        "person1@example.com",
        "editor",
        str(admin.user.id),
    )
    cursor = first.json()["next_cursor"]
    second = await identity.client.get(
        url, params={"limit": 1, "cursor": cursor}, headers=admin.headers
    )
    assert [i["email"] for i in second.json()["items"]] == ["person2@example.com"]
    assert second.json()["next_cursor"] is None

    forged = await identity.client.get(url, params={"cursor": "nope"}, headers=admin.headers)
    assert forged.status_code == 400 and forged.json()["type"].endswith("/invalid-cursor")
    other = await identity.client.get(
        f"/api/orgs/{elsewhere.org.id}/invitations", headers=admin.headers
    )
    assert other.status_code == 403
    assert other.json()["type"].endswith("/not-current-organization")


async def test_a_revoked_invitation_link_stops_working(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session)
    owner = await add_member(session, identity, org, Role.owner)
    admin = await add_member(session, identity, org, Role.admin)
    user = await make_user(session, "new@example.com")
    invitee = await add_member(session, identity, await make_org(session), Role.owner, user=user)
    token = await _invite(identity, session, settings, admin, "new@example.com")
    invitation = await session.scalar(select(Invitation).where(Invitation.org_id == org.id))
    assert invitation is not None
    url = f"/api/orgs/{org.id}/invitations/{invitation.id}"

    revoked = await identity.client.delete(url, headers=admin.headers)
    assert revoked.status_code == 204, revoked.text
    [event] = await outbox_events(session, "invitation.revoked")
    assert event["data"] == {
        "invitation_id": str(invitation.id),
        "org_id": str(org.id),
        "revoked_by": str(admin.user.id),
    }
    answer = await _accept(identity, invitee, token)
    assert answer.status_code == 400 and answer.json()["type"].endswith("/invalid-link")
    listed = await identity.client.get(f"/api/orgs/{org.id}/invitations", headers=owner.headers)
    assert listed.json()["items"] == []

    again = await identity.client.delete(url, headers=admin.headers)
    assert again.status_code == 404 and again.json()["type"].endswith("/invitation-not-found")
    unknown = f"/api/orgs/{org.id}/invitations/{uuid.uuid4()}"
    assert (await identity.client.delete(unknown, headers=admin.headers)).status_code == 404
    bad = await identity.client.delete(f"/api/orgs/{org.id}/invitations/x", headers=admin.headers)
    assert bad.status_code == 422

    # Only owners withdraw an invitation to be an owner.
    await _invite(identity, session, settings, owner, "boss@example.com", role="owner")
    boss = await session.scalar(select(Invitation).where(Invitation.email == "boss@example.com"))
    assert boss is not None
    boss_url = f"/api/orgs/{org.id}/invitations/{boss.id}"
    denied = await identity.client.delete(boss_url, headers=admin.headers)
    assert denied.status_code == 403 and denied.json()["type"].endswith("/owners-only")
    assert (await identity.client.delete(boss_url, headers=owner.headers)).status_code == 204


async def test_an_invitation_of_another_organization_is_not_found(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session)
    admin = await add_member(session, identity, org, Role.admin)
    elsewhere = await add_member(session, identity, await make_org(session, "Other"), Role.admin)
    await _invite(identity, session, settings, elsewhere, "other@example.com")
    theirs = await session.scalar(select(Invitation).where(Invitation.org_id == elsewhere.org.id))
    assert theirs is not None
    url = f"/api/orgs/{org.id}/invitations/{theirs.id}"
    assert (await identity.client.delete(url, headers=admin.headers)).status_code == 404
    assert (await identity.client.post(f"{url}/resend", headers=admin.headers)).status_code == 404
    await session.refresh(theirs)
    assert theirs.revoked_at is None


async def test_resending_mails_a_new_link_and_retires_the_old_one(
    identity: Identity, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session)
    admin = await add_member(session, identity, org, Role.admin)
    user = await make_user(session, "new@example.com")
    invitee = await add_member(session, identity, await make_org(session), Role.owner, user=user)
    old_token = await _invite(identity, session, settings, admin, "new@example.com")
    invitation = await session.scalar(select(Invitation).where(Invitation.org_id == org.id))
    assert invitation is not None
    await session.execute(
        update(Invitation).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    url = f"/api/orgs/{org.id}/invitations/{invitation.id}/resend"

    resent = await identity.client.post(url, headers=admin.headers)
    assert resent.status_code == 200, resent.text
    expires_at = datetime.fromisoformat(resent.json()["expires_at"])
    assert expires_at > datetime.now(UTC) + timedelta(days=6)  # a full lifetime again
    created = await outbox_events(session, "invitation.created")
    assert len(created) == 2 and created[-1]["data"]["email"] == "new@example.com"
    new_token = unseal(settings, LINK_SEAL_PURPOSE, created[-1]["data"]["link"]).split("token=")[1]
    [event] = await outbox_events(session, "invitation.resent")
    assert event["data"]["invitation_id"] == str(invitation.id)
    assert event["data"]["resent_by"] == str(admin.user.id)

    stale = await _accept(identity, invitee, old_token)
    assert stale.status_code == 400 and stale.json()["type"].endswith("/invalid-link")
    assert (await _accept(identity, invitee, new_token)).status_code == 200

    accepted = await identity.client.post(url, headers=admin.headers)
    assert accepted.status_code == 409
    assert accepted.json()["type"].endswith("/invitation-already-accepted")
    revoke = await identity.client.delete(url.removesuffix("/resend"), headers=admin.headers)
    assert revoke.status_code == 409
    unknown = f"/api/orgs/{org.id}/invitations/{uuid.uuid4()}/resend"
    assert (await identity.client.post(unknown, headers=admin.headers)).status_code == 404
    assert len(await outbox_events(session, "invitation.created")) == 2


async def test_resending_counts_against_the_invitation_limits(
    identity_factory: IdentityFactory, session: AsyncSession, settings: CoreSettings
) -> None:
    config = cheap_config(invitation_limit_per_inviter="2/minute")
    async with identity_factory(config=config) as identity:
        org = await make_org(session)
        admin = await add_member(session, identity, org, Role.admin)
        await _invite(identity, session, settings, admin, "new@example.com")
        invitation = await session.scalar(select(Invitation).where(Invitation.org_id == org.id))
        assert invitation is not None
        url = f"/api/orgs/{org.id}/invitations/{invitation.id}/resend"
        assert (await identity.client.post(url, headers=admin.headers)).status_code == 200
        refused = await identity.client.post(url, headers=admin.headers)
        assert refused.status_code == 429 and "retry-after" in refused.headers
    assert len(await outbox_events(session, "invitation.resent")) == 1
