"""The first owner: made once on an instance with no account, never with a printed password
in production; `sift owner create` for production."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.core.config import CoreSettings, Environment
from sift.core.db import Database
from sift.identity.accounts.passwords import hasher, verify_password
from sift.identity.models import Membership, Organization, OutboxEvent, User
from sift.runtime.cli import main
from sift.runtime.console import sign_in_lines
from sift.runtime.owner import (
    FirstOwner,
    OwnerRefused,
    OwnerSettings,
    create_owner,
    ensure_first_owner,
    note_path,
)
from tests.conftest import TransactionalDatabase


@pytest.fixture
async def empty_instance(db_connection: AsyncConnection, database: Database) -> Database:
    """The test's transaction with no account in it (rolled back with the test)."""
    await db_connection.execute(text("DELETE FROM identity.users"))
    return TransactionalDatabase(db_connection, database)


def in_env(settings: CoreSettings, env: Environment, data_dir: Path) -> CoreSettings:
    return settings.model_copy(update={"env": env, "data_dir": data_dir})


async def test_a_new_instance_gets_a_verified_owner_once(
    empty_instance: Database, settings: CoreSettings, tmp_path: Path
) -> None:
    dev = in_env(settings, Environment.development, tmp_path)
    owner = await ensure_first_owner(empty_instance, dev, OwnerSettings(email="Root@Example.com"))
    assert owner.email == "root@example.com" and owner.password is not None
    async with empty_instance.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.email == owner.email))
        assert user is not None and user.email_verified_at is not None
        assert await verify_password(hasher(1, 8, 1), user.password_hash, owner.password)
        org, membership = (
            await session.execute(
                select(Organization, Membership)
                .join(Membership)
                .where(Membership.user_id == user.id)
            )
        ).one()
        assert (membership.role, org.personal, org.name) == ("owner", False, "Sift")
        assert user.default_org_id == org.id
        envelopes = (
            await session.scalars(
                select(OutboxEvent.envelope).where(OutboxEvent.type == "user.signed_up")
            )
        ).all()
        signed_up = [e for e in envelopes if e["data"]["user_id"] == str(user.id)]
        assert len(signed_up) == 1
    # The note names the owner, never the password.
    note = note_path(dev).read_text()
    assert "root@example.com" in note and owner.password not in note
    again = await ensure_first_owner(empty_instance, dev)
    assert (again.email, again.password, again.needs_creating) == ("root@example.com", None, False)


async def test_production_makes_no_account_and_says_how(
    empty_instance: Database, settings: CoreSettings, tmp_path: Path
) -> None:
    production = in_env(settings, Environment.production, tmp_path)
    owner = await ensure_first_owner(empty_instance, production)
    assert (owner.email, owner.password, owner.needs_creating) == (None, None, True)
    async with empty_instance.sessionmaker() as session:
        assert await session.scalar(select(User.id).limit(1)) is None
    assert not note_path(production).exists()


async def test_an_owner_is_refused_once_accounts_exist_or_when_unfit(
    empty_instance: Database, settings: CoreSettings
) -> None:
    fields = {"name": "Root", "organization": "Acme"}
    with pytest.raises(OwnerRefused, match="not a valid e-mail"):
        await create_owner(empty_instance, settings, email="nobody", password="x" * 20, **fields)
    with pytest.raises(OwnerRefused, match="weak password"):
        await create_owner(
            empty_instance, settings, email="root@example.com", password="password123", **fields
        )
    strong = f"correct-{uuid.uuid4().hex[:10]}-Horse"
    await create_owner(
        empty_instance, settings, email="root@example.com", password=strong, **fields
    )
    with pytest.raises(OwnerRefused, match="has accounts already"):
        await create_owner(
            empty_instance, settings, email="second@example.com", password=strong, **fields
        )


def test_the_command_reads_the_password_and_refuses_a_second_owner(
    base_settings: CoreSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """On the shared test database, which has accounts: refused, password never echoed."""
    monkeypatch.setenv("SIFT_DATABASE_URL", base_settings.sqlalchemy_url)
    monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO("correct-Horse-battery-staple-9\n"))
    from sqlalchemy import create_engine

    engine = create_engine(base_settings.sync_sqlalchemy_url)
    email = f"existing-{uuid.uuid4().hex[:8]}@example.com"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO identity.users (id, email, name, status)"
                " VALUES (:id, :e, 'x', 'active')"
            ),
            {"id": uuid.uuid4(), "e": email},
        )
    try:
        status = main(["owner", "create", "--email", "root@example.com"])
        captured = capsys.readouterr()
        assert status == 1
        assert "has accounts already" in captured.err
        assert "correct-Horse" not in captured.out + captured.err
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM identity.users WHERE email = :e"), {"e": email})
        engine.dispose()


def test_the_console_shows_a_password_only_on_the_start_that_made_it() -> None:
    url = "https://localhost:8443"
    made = "\n".join(sign_in_lines(FirstOwner("a@example.com", "s3cret-Pass"), url))
    assert "a@example.com / s3cret-Pass" in made and "shown only once" in made
    later = "\n".join(sign_in_lines(FirstOwner("a@example.com"), url))
    assert "a@example.com" in later and "/" not in later.split("a@example.com")[1][:3]
    production = "\n".join(sign_in_lines(FirstOwner(None, needs_creating=True), url))
    assert "sift owner create --email" in production
