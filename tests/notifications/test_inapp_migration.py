"""The in-app notifications migration goes down to the event tables and up again."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from sift.core import migrations
from sift.core.db import Database
from sift.runtime.embedded_postgres import EmbeddedPostgres

EVENT_TABLES = "9cd387f0b6bc"


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as conn:
        rows = await conn.scalars(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
            {"s": "notifications"},
        )
        return set(rows)


async def test_in_app_tables_go_down_and_up_again(postgres: EmbeddedPostgres) -> None:
    scratch = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = Database(postgres.url, pool_size=1)
    async with admin.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    url = postgres.url.rsplit("/", 1)[0] + "/" + scratch
    check = Database(url, pool_size=1)
    in_app = {"notifications", "document_uploads", "known_sign_ins"}
    try:
        # Alembic's env runs its own event loop: keep it off the test's loop.
        await asyncio.to_thread(migrations.upgrade, "notifications", url)
        assert in_app <= await _tables(check)
        await asyncio.to_thread(migrations.downgrade, "notifications", url, EVENT_TABLES)
        assert await _tables(check) == {"outbox", "processed_events", "alembic_version"}
        await asyncio.to_thread(migrations.upgrade, "notifications", url)
        assert in_app <= await _tables(check)
    finally:
        await check.dispose()
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE "{scratch}" WITH (FORCE)'))
        await admin.dispose()
