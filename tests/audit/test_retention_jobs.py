"""The audit service's retention jobs, run as the scheduler runs them (in its job context,
committing): the configured retention reaches the purge."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, insert, select

from sift.audit.config import get_audit_settings
from sift.audit.log.chain import GENESIS, entry_hash
from sift.audit.log.jobs import purge_audit_entries_job
from sift.audit.log.models import AuditEntry, ChainAnchor
from sift.audit.privacy.jobs import purge_expired_exports_job
from sift.audit.privacy.models import PrivacyRequest
from sift.core.config import CoreSettings
from sift.runtime.scheduler import job_context_for


@pytest.fixture
def sync_engine(base_settings: CoreSettings) -> Iterator[Engine]:
    engine = create_engine(base_settings.sync_sqlalchemy_url, pool_size=1)
    yield engine
    engine.dispose()


def test_the_audit_job_purges_past_the_configured_retention(
    sync_engine: Engine, base_settings: CoreSettings
) -> None:
    """Committed for good (entries cannot be deleted otherwise): a chain of its own."""
    org = uuid.uuid4()
    retention = timedelta(days=get_audit_settings().log_retention_days)
    now = datetime.now(UTC)
    ages = [retention + timedelta(days=2), retention + timedelta(days=1), retention / 2]
    prev, rows = GENESIS, []
    for seq, age in enumerate(ages, start=1):
        entry = AuditEntry(
            id=uuid.uuid4(),
            org_id=org,
            seq=seq,
            occurred_at=now - age,
            recorded_at=now - age,
            producer="identity",
            action="auth.login_succeeded",
            actor=None,
            target_type=None,
            target_id=None,
            ip=None,
            user_agent=None,
            data={},
            prev_hash=prev,
        )
        entry.hash = prev = entry_hash(entry)
        rows.append({c.key: getattr(entry, c.key) for c in AuditEntry.__table__.columns})
    with sync_engine.begin() as connection:
        connection.execute(insert(AuditEntry), rows)

    with job_context_for(base_settings, sync_engine):
        purge_audit_entries_job()
        purge_audit_entries_job()  # idempotent

    with sync_engine.connect() as connection:
        kept = connection.scalars(select(AuditEntry.seq).where(AuditEntry.org_id == org)).all()
        anchor = connection.execute(
            select(ChainAnchor.first_seq, ChainAnchor.purged).where(ChainAnchor.chain == str(org))
        ).one()
    assert list(kept) == [3]
    assert tuple(anchor) == (3, 2)


def test_the_export_job_expires_archives_whose_link_expired(
    sync_engine: Engine, base_settings: CoreSettings
) -> None:
    request_id = uuid.uuid4()
    with sync_engine.begin() as connection:
        connection.execute(
            insert(PrivacyRequest).values(
                id=request_id,
                kind="export",
                status="ready",
                user_id=uuid.uuid4(),
                services={},
                archive_key=f"privacy/exports/{request_id}/archive.zip",
                expires_at=datetime.now(UTC) - timedelta(seconds=1),
            )
        )
    try:
        with job_context_for(base_settings, sync_engine):
            purge_expired_exports_job()
        with sync_engine.connect() as connection:
            status, key = connection.execute(
                select(PrivacyRequest.status, PrivacyRequest.archive_key).where(
                    PrivacyRequest.id == request_id
                )
            ).one()
        assert (status, key) == ("expired", None)
    finally:
        with sync_engine.begin() as connection:
            connection.execute(
                PrivacyRequest.__table__.delete().where(PrivacyRequest.id == request_id)
            )
