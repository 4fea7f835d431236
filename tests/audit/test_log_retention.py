"""The audit log's retention: old entries go through the database's one sanctioned path, and
the chain still verifies from the oldest kept entry (the anchor)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.audit.config import get_audit_settings
from sift.audit.log.chain import GENESIS, entry_hash
from sift.audit.log.models import AuditEntry, ChainAnchor
from sift.audit.log.retention import purge_old_entries
from sift.audit.log.service import audit_log_service
from sift.contracts.events.documents import DeletionReason, DocumentDeleted
from sift.core.db import Database
from tests.audit.conftest import AuditApi, envelope
from tests.conftest import TransactionalDatabase

NOW = datetime.now(UTC)
RETENTION = timedelta(days=get_audit_settings().log_retention_days)


async def _chain(
    session: AsyncSession, org_id: uuid.UUID | None, ages: Sequence[timedelta]
) -> list[AuditEntry]:
    """A chain of entries recorded `ages` ago (oldest first), hashed as the service does."""
    made: list[AuditEntry] = []
    prev = GENESIS
    for seq, age in enumerate(ages, start=1):
        at = NOW - age
        entry = AuditEntry(
            id=uuid.uuid4(),
            org_id=org_id,
            seq=seq,
            occurred_at=at,
            recorded_at=at,
            producer="documents",
            action="document.deleted",
            actor="p_" + "0" * 32,
            target_type="document",
            target_id=str(uuid.uuid4()),
            ip=None,
            user_agent=None,
            data={"reason": "user_request"},
            prev_hash=prev,
        )
        entry.hash = entry_hash(entry)
        prev = entry.hash
        session.add(entry)
        made.append(entry)
    await session.flush()
    return made


async def _kept(session: AsyncSession, org_id: uuid.UUID) -> list[int]:
    rows = await session.scalars(
        select(AuditEntry.seq).where(AuditEntry.org_id == org_id).order_by(AuditEntry.seq)
    )
    return list(rows)


@pytest.fixture
def database_in_test(db_connection: AsyncConnection, database: Database) -> Database:
    return TransactionalDatabase(db_connection, database)


OLD = RETENTION + timedelta(days=5)


async def test_entries_past_retention_go_and_the_chain_verifies_from_its_anchor(
    session: AsyncSession, database_in_test: Database
) -> None:
    org, other = uuid.uuid4(), uuid.uuid4()
    entries = await _chain(session, org, [OLD] * 5 + [timedelta(days=1)] * 3)
    untouched = await _chain(session, other, [timedelta(days=2)] * 2)

    # Batches of two: the purge goes on until a batch comes back short.
    counts = await purge_old_entries(database_in_test, older_than=RETENTION, batch_size=2)

    assert counts == {str(org): 5}
    assert await _kept(session, org) == [6, 7, 8]
    assert await _kept(session, other) == [1, 2]
    anchor = await session.get(ChainAnchor, str(org))
    assert anchor is not None
    assert (anchor.first_seq, anchor.prev_hash, anchor.purged) == (6, entries[4].hash, 5)
    check = await audit_log_service.verify(session, org)
    assert (check.ok, check.checked) == (True, 3)
    assert (await audit_log_service.verify(session, other)).ok
    assert untouched[0].hash == entry_hash(untouched[0])
    # Idempotent: nothing more to do.
    assert await purge_old_entries(database_in_test, older_than=RETENTION) == {}
    # The chain goes on after the purge, and still verifies.
    appended = await audit_log_service.append(
        session,
        envelope(
            DocumentDeleted(
                document_id=uuid.uuid4(),
                collection_id=uuid.uuid4(),
                reason=DeletionReason.user_request,
            ),
            org_id=org,
            actor_id=uuid.uuid4(),
            producer="documents",
        ),
    )
    assert (appended.seq, appended.prev_hash) == (9, entries[-1].hash)
    assert (await audit_log_service.verify(session, org)).checked == 4


async def test_the_newest_entry_of_a_chain_stays_even_when_every_entry_is_old(
    session: AsyncSession, database_in_test: Database
) -> None:
    org = uuid.uuid4()
    await _chain(session, org, [OLD + timedelta(days=3), OLD + timedelta(days=2), OLD])
    assert await purge_old_entries(database_in_test, older_than=RETENTION) == {str(org): 2}
    assert await _kept(session, org) == [3]
    assert (await audit_log_service.verify(session, org)).ok


async def test_a_tampered_chain_is_not_purged_so_that_the_evidence_stays(
    session: AsyncSession, database_in_test: Database
) -> None:
    org = uuid.uuid4()
    entries = await _chain(session, org, [OLD] * 3 + [timedelta(days=1)])
    await session.execute(text("ALTER TABLE audit.entries DISABLE TRIGGER entries_append_only"))
    await session.execute(
        text("UPDATE audit.entries SET data = '{}' WHERE id = :id"), {"id": entries[1].id}
    )
    await session.execute(text("ALTER TABLE audit.entries ENABLE TRIGGER entries_append_only"))
    assert await purge_old_entries(database_in_test, older_than=RETENTION) == {}
    assert await _kept(session, org) == [1, 2, 3, 4]
    session.expire_all()
    assert (await audit_log_service.verify(session, org)).first_mismatch_seq == 2


async def _refused(session: AsyncSession, statement: str, **params: object) -> str:
    with pytest.raises(DBAPIError) as refusal:
        async with session.begin_nested():
            await session.execute(text(statement), params)
    return str(refusal.value.orig)


async def test_the_database_refuses_any_other_removal(session: AsyncSession) -> None:
    org = uuid.uuid4()
    entries = await _chain(session, org, [OLD] * 2 + [timedelta(days=10)] * 2)
    purge = "SELECT audit.purge_entries_through(:org, :seq)"
    # Entries younger than 30 days, and the newest entry, whatever the caller asks.
    assert "kept at least 30 days" in await _refused(session, purge, org=org, seq=3)
    assert "newest entry" in await _refused(session, purge, org=org, seq=4)
    # Outside the function, a DELETE is refused even below the anchor.
    assert await session.scalar(select(func.audit.purge_entries_through(org, 1))) == 1
    error = await _refused(session, "DELETE FROM audit.entries WHERE id = :id", id=entries[1].id)
    assert "append-only" in error
    await session.execute(text("SET LOCAL sift.audit_purge = 'on'"))
    error = await _refused(session, "DELETE FROM audit.entries WHERE id = :id", id=entries[2].id)
    assert "append-only" in error  # younger than 30 days: not even with the setting
    # The anchor only moves forward, and stays.
    for statement in (
        "UPDATE audit.chain_anchors SET first_seq = 1 WHERE chain = :chain",
        "DELETE FROM audit.chain_anchors WHERE chain = :chain",
    ):
        assert "only move forward" in await _refused(session, statement, chain=str(org))
    assert await _kept(session, org) == [2, 3, 4]


async def test_a_role_without_the_delete_privilege_purges_through_the_function(
    session: AsyncSession,
) -> None:
    """As in production: the services' role owns the table and function, is no superuser, and
    holds no DELETE privilege on the entries; the function grants it for its own statement."""
    org = uuid.uuid4()
    await _chain(session, org, [OLD] * 3 + [timedelta(days=1)])
    role = f"audit_purger_{uuid.uuid4().hex[:8]}"
    await session.execute(text(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER"))
    await session.execute(text(f"GRANT USAGE ON SCHEMA audit TO {role}"))
    for statement in (
        f"ALTER TABLE audit.entries OWNER TO {role}",
        f"ALTER TABLE audit.chain_anchors OWNER TO {role}",
        f"ALTER FUNCTION audit.purge_entries_through(uuid, bigint) OWNER TO {role}",
        f"REVOKE DELETE ON audit.entries FROM {role}",
    ):
        await session.execute(text(statement))
    await session.execute(text(f"SET LOCAL ROLE {role}"))
    assert await session.scalar(select(func.audit.purge_entries_through(org, 3))) == 3
    # The privilege went with the function's return.
    error = await _refused(session, "DELETE FROM audit.entries WHERE org_id = :org", org=org)
    assert "permission denied" in error
    await session.execute(text("RESET ROLE"))
    assert await _kept(session, org) == [4]
    assert (await audit_log_service.verify(session, org)).ok


async def test_the_verify_api_says_where_the_check_started(
    api: AuditApi, session: AsyncSession, database_in_test: Database
) -> None:
    await _chain(session, api.org_id, [OLD] * 4 + [timedelta(days=1)] * 2)
    admin = api.caller("admin")
    answer = await api.client.get("/api/audit/verify", headers=admin.headers)
    assert (answer.json()["checked"], answer.json()["first_seq"]) == (6, 1)

    await purge_old_entries(database_in_test, older_than=RETENTION)

    answer = await api.client.get("/api/audit/verify", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "ok": True,
        "checked": 2,
        "first_mismatch_seq": None,
        "first_mismatch_id": None,
        "first_seq": 5,
    }
