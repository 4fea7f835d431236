"""`sift seed load`: seeded accounts work through the real services; refused in production."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.documents.app import create_app as create_documents_app
from sift.documents.models import OutboxEvent as DocumentsOutbox
from sift.identity.models import RefreshFamily, User
from sift.runtime.cli import main
from sift.runtime.seed import (
    EMAIL_DOMAIN,
    LoadSeeder,
    SeedPlan,
    SeedRefused,
    SeedResult,
    document_text,
    seed_load,
)
from tests.conftest import ClientFactory, TransactionalDatabase

PLAN = SeedPlan(users=5, documents=4, team_size=2)


@pytest.fixture
def seed_database(db_connection: AsyncConnection, database: Database) -> Database:
    """The seed's sessions join the test's transaction, as the service clients' do."""
    return TransactionalDatabase(db_connection, database)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def documents_service(
    seed_database: Database, settings: CoreSettings
) -> AsyncIterator[httpx.AsyncClient]:
    """The documents app verifying tokens with identity's key store on the test's database
    (in place of identity's JWKS over HTTP, which no server answers here)."""
    app = create_documents_app(settings)
    keys = LoadSeeder(seed_database, settings).keys
    config = AuthSettings()
    verifier = TokenVerifier(keys, issuer=config.issuer_for(settings), config=config)
    Authenticator.install(app, Authenticator(verifier))
    async with app.router.lifespan_context(app):
        await app.state.database.dispose()
        app.state.database = seed_database
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_seeded_users_call_their_apis_with_the_written_tokens(
    seed_database: Database,
    settings: CoreSettings,
    service_client: ClientFactory,
    tmp_path: Path,
) -> None:
    out = tmp_path / "seed.json"
    (await seed_load(seed_database, settings, PLAN)).write(out)
    written = json.loads(out.read_text())
    users = written["users"]

    assert len(users) == 5
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    # Teams of two: users 0-1, 2-3 and 4 alone; the first of each team owns its organization.
    assert [user["role"] for user in users] == ["owner", "editor", "owner", "editor", "owner"]
    assert users[0]["org_id"] == users[1]["org_id"] != users[2]["org_id"]
    assert len(written["orgs"]) == 3
    async with service_client("identity") as identity:
        for user in users:
            response = await identity.get("/api/users/me", headers=bearer(user["access_token"]))
            assert response.status_code == 200, response.text
            assert response.json()["email"] == user["email"]
            assert user["email"].endswith(f"@{EMAIL_DOMAIN}")
        orgs = await identity.get("/api/orgs", headers=bearer(users[1]["access_token"]))
        assert [org["id"] for org in orgs.json()["items"]] == [users[0]["org_id"]]

    # Four documents over three organizations, round robin: the first has two.
    first = written["orgs"][0]
    assert [len(org["document_ids"]) for org in written["orgs"]] == [2, 1, 1]
    async with documents_service(seed_database, settings) as documents:
        listed = await documents.get("/api/documents", headers=bearer(users[1]["access_token"]))
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert sorted(item["id"] for item in items) == sorted(first["document_ids"])
        assert {item["status"] for item in items} == {"uploaded"}  # ingestion's turn next
        collections = await documents.get(
            "/api/collections", headers=bearer(users[0]["access_token"])
        )
        assert sorted(c["id"] for c in collections.json()["items"]) == sorted(
            first["collection_ids"]
        )
        content = await documents.get(
            f"/api/documents/{first['document_ids'][0]}/content",
            headers=bearer(users[0]["access_token"]),
        )
        assert content.content == document_text(0)
    # Indexing is left to the real path: the upload announced each document.
    seeded = {doc for org in written["orgs"] for doc in org["document_ids"]}
    async with seed_database.sessionmaker() as session:
        envelopes = await session.scalars(
            select(DocumentsOutbox.envelope).where(DocumentsOutbox.type == "document.uploaded")
        )
        announced = {envelope["subject_id"] for envelope in envelopes}
    assert seeded <= announced and len(seeded) == 4


async def test_a_rerun_reuses_users_organizations_and_documents(
    seed_database: Database, settings: CoreSettings, service_client: ClientFactory
) -> None:
    first = await seed_load(seed_database, settings, PLAN)
    again = await seed_load(seed_database, settings, SeedPlan(users=6, documents=5, team_size=2))

    assert [u.user_id for u in again.users[:5]] == [u.user_id for u in first.users]
    assert again.users[5].org_id == again.users[4].org_id  # the new one joins user 4's team
    assert [o.collection_ids for o in again.orgs] == [o.collection_ids for o in first.orgs]
    assert again.orgs[0].document_ids[:2] == first.orgs[0].document_ids
    assert len(again.orgs[1].document_ids) == 2  # document 4 is new
    async with seed_database.sessionmaker() as session:
        users = await session.scalar(
            select(func.count()).select_from(User).where(User.email.like(f"%@{EMAIL_DOMAIN}"))
        )
        sessions = await session.scalar(
            select(func.count())
            .select_from(RefreshFamily)
            .where(RefreshFamily.auth_method == "seed")
        )
    assert (users, sessions) == (6, 11)
    # The first run's tokens stay valid beside the new ones.
    async with service_client("identity") as identity:
        for user in (first.users[0], again.users[0]):
            response = await identity.get("/api/users/me", headers=bearer(user.access_token))
            assert response.status_code == 200


async def test_seeding_is_refused_outside_development_and_test(
    seed_database: Database, settings: CoreSettings
) -> None:
    production = settings.model_copy(update={"env": "production"})
    with pytest.raises(SeedRefused):
        await seed_load(seed_database, production, PLAN)


def test_the_command_refuses_production_with_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("SIFT_ENV", "production")
    monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path))
    out = tmp_path / "seed.json"

    assert main(["seed", "load", "--users", "2", "--out", str(out)]) == 2
    assert "refused in the production environment" in capsys.readouterr().err
    assert not out.exists()


def test_the_command_refuses_bad_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["seed", "load", "--users", "0"])
    assert exited.value.code == 2
    assert "--users: must be at least 1" in capsys.readouterr().err


def test_the_result_file_round_trips(tmp_path: Path) -> None:
    result = SeedResult("now", "pw", 600, users=[], orgs=[], queries=["budget"])
    result.write(tmp_path / "deep" / "seed.json")
    assert json.loads((tmp_path / "deep" / "seed.json").read_text())["queries"] == ["budget"]


def test_the_command_seeds_with_the_issuer_sift_up_gives_the_services(
    monkeypatch: pytest.MonkeyPatch,
    base_settings: CoreSettings,
    settings: CoreSettings,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SIFT_ENV", "test")
    monkeypatch.setenv("SIFT_DATABASE_URL", base_settings.sqlalchemy_url)
    monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SIFT_REDIS_PREFIX", settings.redis_prefix)
    monkeypatch.setenv("SIFT_GATEWAY_HTTPS_PORT", "9443")
    out = tmp_path / "seed.json"
    engine = create_engine(base_settings.sync_sqlalchemy_url)
    with engine.connect() as connection:
        started = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
    try:
        assert main(["seed", "load", "--users", "1", "--documents", "0", "--out", str(out)]) == 0
        user = json.loads(out.read_text())["users"][0]
        claims = jwt.decode(user["access_token"], options={"verify_signature": False})
        assert claims["iss"] == "https://localhost:9443"
    finally:
        # It committed: leave the database as the other tests expect it (no key, no event).
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM identity.users WHERE email LIKE :domain"),
                {"domain": f"%@{EMAIL_DOMAIN}"},
            )
            for table in ("organizations", "signing_keys", "outbox"):
                connection.execute(
                    text(f"DELETE FROM identity.{table} WHERE created_at >= :started"),
                    {"started": started},
                )
        engine.dispose()
