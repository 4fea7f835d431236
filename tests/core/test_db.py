"""Database: unit-of-work sessions, read-only sessions, migrations per service schema."""

from __future__ import annotations

import asyncio
import importlib
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import APIRouter
from sqlalchemy import delete, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from sift import SERVICES
from sift.core import migrations
from sift.core.config import CoreSettings
from sift.core.db import Database, ReadSessionDep, SessionDep, begin_read_only, new_id
from sift.documents.models import OutboxEvent
from sift.runtime.embedded_postgres import EmbeddedPostgres


def test_ids_are_time_ordered_uuids() -> None:
    first, second = new_id(), new_id()
    assert first.version == 7
    assert first < second


async def test_every_service_has_its_own_schema(session: AsyncSession) -> None:
    rows = await session.execute(
        text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(:schemas)"
        ),
        {"schemas": list(SERVICES)},
    )
    tables = {(schema, name) for schema, name in rows}
    for service in SERVICES:
        assert (service, "outbox") in tables
        assert (service, "processed_events") in tables
        assert (service, "alembic_version") in tables


@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrations_build_exactly_the_models(database: Database, service: str) -> None:
    metadata = importlib.import_module(f"sift.{service}.models").Base.metadata

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": lambda name, type_, parent: (
                    name == service if type_ == "schema" else name != "alembic_version"
                ),
                "compare_type": True,
            },
        )
        return list(compare_metadata(context, metadata))

    async with database.engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_pgvector_is_available(session: AsyncSession) -> None:
    version = await session.scalar(
        text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    )
    assert version is not None and version.startswith("0.8")


async def test_migrations_go_down_and_up_again(postgres: EmbeddedPostgres) -> None:
    scratch = f"migrations_{uuid.uuid4().hex[:8]}"
    # CREATE and DROP DATABASE copy and remove files: slower than 10 s on a busy host.
    admin = Database(postgres.url, pool_size=1, statement_timeout_ms=120_000)
    async with admin.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    url = postgres.url.rsplit("/", 1)[0] + "/" + scratch
    check = Database(url, pool_size=1)
    try:
        for service in ("identity", "audit"):
            # Alembic's env runs its own event loop: keep it off the test's loop.
            await asyncio.to_thread(migrations.upgrade, service, url)
            await asyncio.to_thread(migrations.downgrade, service, url, "base")
            await asyncio.to_thread(migrations.upgrade, service, url)
        async with check.engine.connect() as conn:
            count = await conn.scalar(
                text("SELECT count(*) FROM information_schema.tables WHERE table_name = 'outbox'")
            )
        assert count == 2
    finally:
        await check.dispose()
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE "{scratch}" WITH (FORCE)'))
        await admin.dispose()


async def test_request_is_the_unit_of_work(settings: CoreSettings, database: Database) -> None:
    """A handler's writes are committed when it succeeds and rolled back when it fails."""
    import httpx

    from sift.core.app import create_service_app

    router = APIRouter(prefix="/api/probe", tags=["probe"])
    ids = {"kept": new_id(), "dropped": new_id()}

    def row(event_id: uuid.UUID) -> OutboxEvent:
        return OutboxEvent(id=event_id, type="probe.written", version=1, envelope={})

    @router.post("/ok")
    async def ok(session: SessionDep) -> dict[str, str]:
        session.add(row(ids["kept"]))
        return {"status": "written"}

    @router.post("/fail")
    async def fail(session: SessionDep) -> None:
        session.add(row(ids["dropped"]))
        await session.flush()
        raise RuntimeError("after the write")

    @router.post("/read-only")
    async def read_only(session: ReadSessionDep) -> None:
        await session.execute(text("DELETE FROM documents.outbox"))

    app = create_service_app("probe", routers=[router], settings=settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            assert (await client.post("/api/probe/ok")).status_code == 200
            assert (await client.post("/api/probe/fail")).status_code == 500
            refused = await client.post("/api/probe/read-only")
        assert refused.status_code == 500
        async with database.sessionmaker() as check:
            found = set(
                await check.scalars(select(OutboxEvent.id).where(OutboxEvent.id.in_(ids.values())))
            )
        assert found == {ids["kept"]}
    finally:
        async with database.sessionmaker() as cleanup:
            await cleanup.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids.values())))
            await cleanup.commit()


async def test_read_session_refuses_writes(database: Database) -> None:
    async with database.read_sessionmaker() as session:
        await session.execute(text("SET TRANSACTION READ ONLY"))
        with pytest.raises(DBAPIError, match="read-only transaction"):
            await session.execute(text("DELETE FROM documents.outbox"))


async def test_a_read_session_takes_no_round_trip_beyond_its_statements(
    base_settings: CoreSettings,
) -> None:
    """No ping on checkout (three round trips with asyncpg) and no `SET TRANSACTION`: the
    transaction opens as `BEGIN READ ONLY` with the first statement."""
    database = Database(base_settings.sqlalchemy_url, pool_size=1)
    sent: list[str] = []
    try:
        async with database.engine.connect() as connection:  # the pool's only connection
            raw = await connection.get_raw_connection()
            raw.driver_connection.add_query_logger(lambda query: sent.append(query.query))
        async with database.read_sessionmaker() as session:
            await begin_read_only(session)
            assert await session.scalar(text("SELECT 1")) == 1
            with pytest.raises(DBAPIError, match="read-only transaction"):
                await session.execute(text("DELETE FROM documents.outbox"))
            await session.rollback()
        async with database.sessionmaker() as session:
            assert await session.scalar(text("SELECT 2")) == 2
            await session.commit()
    finally:
        await database.dispose()
    # asyncpg logs the statements it sends as simple queries (not the prepared ones): a
    # ping would show as BEGIN and ROLLBACK before each session's own.
    assert sent == ["BEGIN READ ONLY;", "ROLLBACK;", "BEGIN;", "COMMIT;"]
