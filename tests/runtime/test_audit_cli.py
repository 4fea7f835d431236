"""`sift audit verify` checks the chains in the database and names the first bad entry."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from sift.audit.log.models import AuditEntry
from sift.audit.log.service import audit_log_service
from sift.contracts.events.documents import CollectionCreated, CollectionVisibilityName
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.runtime.cli import build_parser, main
from tests.audit.conftest import envelope


async def _commit_log(settings: CoreSettings, org: uuid.UUID) -> list[AuditEntry]:
    database = Database(settings.sqlalchemy_url, pool_size=1)
    user = uuid.uuid4()
    try:
        async with database.sessionmaker() as session, session.begin():
            return [
                await audit_log_service.append(
                    session,
                    envelope(
                        CollectionCreated(
                            collection_id=uuid.uuid4(),
                            visibility=CollectionVisibilityName.org,
                            created_by=user,
                        ),
                        org_id=org,
                        actor_id=user,
                        producer="documents",
                    ),
                )
                for _ in range(3)
            ]
    finally:
        await database.dispose()


async def _as_superuser(settings: CoreSettings, statement: str, org: uuid.UUID) -> None:
    """Behind the database's back: the trigger off for one statement."""
    database = Database(settings.sqlalchemy_url, pool_size=1)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(
                text("ALTER TABLE audit.entries DISABLE TRIGGER entries_append_only")
            )
            await connection.execute(text(statement), {"org": org})
            await connection.execute(
                text("ALTER TABLE audit.entries ENABLE TRIGGER entries_append_only")
            )
    finally:
        await database.dispose()


def test_audit_verify_names_the_changed_entry(
    base_settings: CoreSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert base_settings.database_url is not None
    monkeypatch.setenv("SIFT_DATABASE_URL", base_settings.database_url)
    monkeypatch.setenv("SIFT_DATA_DIR", str(base_settings.data_dir))
    org = uuid.uuid4()
    entries = asyncio.run(_commit_log(base_settings, org))
    try:
        assert main(["audit", "verify", "--org", str(org)]) == 0
        assert f"organization {org}: ok, 3 entries" in capsys.readouterr().out
        assert main(["audit", "verify"]) == 0  # every chain
        assert f"organization {org}: ok, 3 entries" in capsys.readouterr().out

        asyncio.run(
            _as_superuser(
                base_settings,
                "UPDATE audit.entries SET action = 'collection.deleted' "
                "WHERE org_id = :org AND seq = 2",
                org,
            )
        )
        assert main(["audit", "verify", "--org", str(org)]) == 1
        out = capsys.readouterr().out
        assert f"MISMATCH at seq 2 (entry {entries[1].id})" in out
    finally:
        asyncio.run(
            _as_superuser(base_settings, "DELETE FROM audit.entries WHERE org_id = :org", org)
        )


def test_audit_verify_takes_only_an_organization_id() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["audit", "verify", "--org", "acme"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["audit"])
