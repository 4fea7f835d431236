"""The audit log as a record: one chain per organization, pseudonyms, append-only rows."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.chain import GENESIS, entry_hash
from sift.audit.log.models import AuditEntry, PersonKey
from sift.audit.log.pseudonyms import ERASED, forget_person, person_keys
from sift.audit.log.service import Filters, audit_log_service
from sift.contracts.events.documents import CollectionCreated, CollectionVisibilityName
from sift.contracts.events.identity import (
    LoginFailed,
    LoginFailure,
    LoginSucceeded,
    MemberRoleChanged,
    PasswordResetRequested,
    SignupMethod,
)
from tests.audit.conftest import envelope


async def test_each_organization_has_its_own_chain_from_seq_one(session: AsyncSession) -> None:
    org, other = uuid.uuid4(), uuid.uuid4()
    user = uuid.uuid4()
    made = []
    for org_id in (org, other, org, org):
        event = envelope(
            CollectionCreated(
                collection_id=uuid.uuid4(),
                visibility=CollectionVisibilityName.org,
                created_by=user,
            ),
            org_id=org_id,
            actor_id=user,
            producer="documents",
        )
        made.append(await audit_log_service.append(session, event))
    assert [(e.org_id, e.seq) for e in made] == [(org, 1), (other, 1), (org, 2), (org, 3)]
    assert made[0].prev_hash == GENESIS and made[1].prev_hash == GENESIS
    assert made[2].prev_hash == made[0].hash and made[3].prev_hash == made[2].hash
    assert all(entry.hash == entry_hash(entry) for entry in made)
    check = await audit_log_service.verify(session, org)
    assert (check.ok, check.checked, check.first_mismatch_seq) == (True, 3, None)


async def test_people_are_named_by_pseudonym_and_contact_details_are_not_kept(
    session: AsyncSession,
) -> None:
    org, admin, member = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    changed = await audit_log_service.append(
        session,
        envelope(
            MemberRoleChanged(org_id=org, user_id=member, old_role="viewer", new_role="editor"),
            org_id=org,
            actor_id=admin,
            ip="203.0.113.7",
            user_agent="Firefox/140",
        ),
    )
    keys = {
        key.user_id: key
        for key in await session.scalars(
            select(PersonKey).where(PersonKey.user_id.in_([admin, member]))
        )
    }
    assert changed.actor == keys[admin].pseudonym
    assert (changed.target_type, changed.target_id) == ("user", keys[member].pseudonym)
    assert changed.data["user_id"] == keys[member].pseudonym
    assert str(admin) not in str(changed.data) and str(member) not in repr(changed.__dict__)
    # The origin is sealed with the actor's key, readable while it exists.
    assert changed.ip is not None and "203.0.113.7" not in changed.ip
    [shown] = await audit_log_service.show(session, [changed])
    assert (shown.actor_id, shown.target_id) == (admin, str(member))
    assert (shown.ip, shown.user_agent) == ("203.0.113.7", "Firefox/140")

    reset = await audit_log_service.append(
        session,
        envelope(
            PasswordResetRequested(
                user_id=member,
                email="member@example.org",
                link="v1.c2VjcmV0",
                expires_at="2030-01-01T00:00:00Z",
            ),
            org_id=None,
        ),
    )
    assert "link" not in reset.data and "email" not in reset.data
    assert reset.org_id is None and reset.seq >= 1
    # The address an event told about a person is how admins recognise them.
    await session.refresh(keys[member])
    assert keys[member].label == "member@example.org"


async def test_a_forgotten_person_can_no_longer_be_linked(session: AsyncSession) -> None:
    org, user = uuid.uuid4(), uuid.uuid4()
    before = await audit_log_service.append(
        session,
        envelope(
            LoginSucceeded(
                user_id=user,
                session_id=uuid.uuid4(),
                method=SignupMethod.password,
                ip="198.51.100.4",
            ),
            org_id=org,
            actor_id=user,
            ip="198.51.100.4",
        ),
    )
    assert await person_keys.forget(session, user) is True
    assert await person_keys.forget(session, user) is False  # idempotent
    [shown] = await audit_log_service.show(session, [before])
    assert shown.actor_id is None and shown.ip is None and shown.entry.actor == before.actor
    # A later event about them gets no new key: it would link what comes after.
    after = await audit_log_service.append(
        session,
        envelope(
            LoginFailed(user_id=user, reason=LoginFailure.invalid_credentials, ip="198.51.100.4"),
            org_id=org,
        ),
    )
    assert after.target_id == ERASED and after.data["user_id"] == ERASED and after.ip is None
    assert await session.get(PersonKey, user) is None
    page, _ = await audit_log_service.page(
        session, org, Filters(actor_id=user), limit=10, cursor=None
    )
    assert page == []
    assert (await audit_log_service.verify(session, org)).ok


async def test_an_unknown_address_failing_to_sign_in_goes_to_the_platform_chain(
    session: AsyncSession,
) -> None:
    failed = await audit_log_service.append(
        session,
        envelope(
            LoginFailed(user_id=None, reason=LoginFailure.invalid_credentials),
            org_id=None,
            ip="192.0.2.1",
        ),
    )
    assert failed.org_id is None and failed.actor is None and failed.target_type is None
    assert failed.ip == "192.0.2.1"  # nobody to erase: kept in clear
    last = await session.scalar(
        select(AuditEntry).where(AuditEntry.org_id.is_(None)).order_by(AuditEntry.seq.desc())
    )
    assert last is not None and last.id == failed.id


async def test_the_entries_about_a_person_are_found_for_their_export_until_forgotten(
    session: AsyncSession,
) -> None:
    person, admin = uuid.uuid4(), uuid.uuid4()
    org, other = uuid.uuid4(), uuid.uuid4()
    acted = await audit_log_service.append(
        session,
        envelope(
            LoginSucceeded(user_id=person, session_id=uuid.uuid4(), method=SignupMethod.password),
            org_id=org,
            actor_id=person,
            ip="198.51.100.8",
        ),
    )
    about = await audit_log_service.append(
        session,
        envelope(
            MemberRoleChanged(org_id=other, user_id=person, old_role="viewer", new_role="admin"),
            org_id=other,
            actor_id=admin,
        ),
    )
    await audit_log_service.append(
        session,
        envelope(
            MemberRoleChanged(org_id=org, user_id=admin, old_role="viewer", new_role="admin"),
            org_id=org,
            actor_id=admin,
        ),
    )
    found = [shown async for shown in audit_log_service.about_person(session, person)]
    assert sorted(shown.entry.id for shown in found) == sorted([acted.id, about.id])
    assert {shown.ip for shown in found} == {"198.51.100.8", None}

    assert await forget_person(session, person)
    assert [shown async for shown in audit_log_service.about_person(session, person)] == []
