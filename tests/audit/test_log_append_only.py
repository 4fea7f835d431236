"""Entries are refused any change by the database itself; verify names a changed one."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.models import AuditEntry
from sift.audit.log.service import audit_log_service
from sift.contracts.events.documents import DeletionReason, DocumentDeleted
from tests.audit.conftest import envelope


async def _log(session: AsyncSession, org: uuid.UUID, count: int) -> list[AuditEntry]:
    actor = uuid.uuid4()
    return [
        await audit_log_service.append(
            session,
            envelope(
                DocumentDeleted(
                    document_id=uuid.uuid4(),
                    collection_id=uuid.uuid4(),
                    reason=DeletionReason.user_request,
                ),
                org_id=org,
                actor_id=actor,
                producer="documents",
            ),
        )
        for _ in range(count)
    ]


async def _refused(
    session: AsyncSession, statement: str, *, role: str | None = None, **params: object
) -> str:
    """The error PostgreSQL answers `statement` with (as `role` if given; rolled back)."""
    with pytest.raises(DBAPIError) as refusal:
        async with session.begin_nested():
            if role is not None:
                await session.execute(text(f"SET LOCAL ROLE {role}"))
            await session.execute(text(statement), params)
    return str(refusal.value.orig)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit.entries SET data = '{}' WHERE id = :id",
        "DELETE FROM audit.entries WHERE id = :id",
        "TRUNCATE audit.entries",
    ],
)
async def test_the_trigger_refuses_updates_deletes_and_truncate_even_to_a_superuser(
    session: AsyncSession, statement: str
) -> None:
    [entry] = await _log(session, uuid.uuid4(), 1)
    error = await _refused(session, statement, id=entry.id)
    assert "audit entries are append-only" in error
    assert await session.get(AuditEntry, entry.id) is not None


async def test_the_services_role_holds_no_privilege_to_change_entries(
    session: AsyncSession,
) -> None:
    """The role that owns the table (as the services' role does in production) may insert
    and read, but neither update nor delete, trigger or not."""
    [entry] = await _log(session, uuid.uuid4(), 1)
    role = f"audit_probe_{uuid.uuid4().hex[:8]}"
    await session.execute(text(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER"))
    await session.execute(text(f"GRANT USAGE ON SCHEMA audit TO {role}"))
    await session.execute(text(f"ALTER TABLE audit.entries OWNER TO {role}"))
    await session.execute(text("ALTER TABLE audit.entries DISABLE TRIGGER entries_append_only"))
    for statement in (
        "UPDATE audit.entries SET data = '{}' WHERE id = :id",
        "DELETE FROM audit.entries WHERE id = :id",
    ):
        error = await _refused(session, statement, role=role, id=entry.id)
        assert "permission denied" in error
    async with session.begin_nested():
        await session.execute(text(f"SET LOCAL ROLE {role}"))
        seen = await session.scalar(
            text("SELECT count(*) FROM audit.entries WHERE id = :id"), {"id": entry.id}
        )
        await session.execute(text("RESET ROLE"))
    assert seen == 1


async def test_verify_names_the_entry_a_superuser_changed_behind_the_databases_back(
    session: AsyncSession,
) -> None:
    org = uuid.uuid4()
    entries = await _log(session, org, 5)
    assert (await audit_log_service.verify(session, org)).ok
    await session.execute(text("ALTER TABLE audit.entries DISABLE TRIGGER entries_append_only"))
    await session.execute(
        text('UPDATE audit.entries SET data = data || \'{"reason": "retention"}\' WHERE id = :id'),
        {"id": entries[2].id},
    )
    await session.execute(text("ALTER TABLE audit.entries ENABLE TRIGGER entries_append_only"))
    session.expire_all()
    check = await audit_log_service.verify(session, org)
    assert (check.ok, check.first_mismatch_seq, check.first_mismatch_id) == (
        False,
        3,
        entries[2].id,
    )
    assert check.checked == 3


async def test_verify_names_the_entry_after_one_that_was_removed(session: AsyncSession) -> None:
    org = uuid.uuid4()
    entries = await _log(session, org, 4)
    await session.execute(text("ALTER TABLE audit.entries DISABLE TRIGGER entries_append_only"))
    await session.execute(text("DELETE FROM audit.entries WHERE id = :id"), {"id": entries[1].id})
    await session.execute(text("ALTER TABLE audit.entries ENABLE TRIGGER entries_append_only"))
    check = await audit_log_service.verify(session, org)
    assert (check.ok, check.first_mismatch_seq) == (False, 3)
