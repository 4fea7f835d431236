"""The identity schema: migrations match the models; the database enforces the invariants."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.identity.models import Invitation, Membership, Organization, User


async def _user(session: AsyncSession, email: str) -> User:
    user = User(email=email, name="Ada")
    session.add(user)
    await session.flush()
    return user


async def test_one_account_per_address(session: AsyncSession) -> None:
    await _user(session, "ada@example.com")
    with pytest.raises(IntegrityError):
        await _user(session, "ada@example.com")


async def test_roles_and_statuses_are_checked(session: AsyncSession) -> None:
    user = await _user(session, "grace@example.com")
    org = Organization(name="Lab", personal=True, created_by=user.id)
    session.add(org)
    await session.flush()
    session.add(Membership(org_id=org.id, user_id=user.id, role="superuser"))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
    with pytest.raises(IntegrityError):
        await session.execute(
            text(
                "INSERT INTO identity.users (id, email, name, status) "
                "VALUES (:id, 'x@y.z', 'x', 'z')"
            ),
            {"id": uuid.uuid4()},
        )


async def test_one_pending_invitation_per_address_and_organization(session: AsyncSession) -> None:
    user = await _user(session, "alan@example.com")
    org = Organization(name="Team", personal=False, created_by=user.id)
    session.add(org)
    await session.flush()
    expires = datetime.now(UTC) + timedelta(days=7)
    first = Invitation(org_id=org.id, email="new@example.com", role="viewer", expires_at=expires)
    session.add(first)
    await session.flush()
    first.revoked_at = datetime.now(UTC)  # a revoked one does not block a new one
    session.add(
        Invitation(org_id=org.id, email="new@example.com", role="editor", expires_at=expires)
    )
    await session.flush()
    session.add(
        Invitation(org_id=org.id, email="new@example.com", role="admin", expires_at=expires)
    )
    with pytest.raises(IntegrityError):
        await session.flush()
