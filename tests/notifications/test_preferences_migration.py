"""The preferences migration moves one-click opt-outs into the preferences (e-mail off for
the type; the digest's: for every type it carries), and back again on the way down."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from sift.core import migrations
from sift.core.db import Database
from sift.runtime.embedded_postgres import EmbeddedPostgres

IN_APP = "ef2f081196d8"
ANN, BOB = uuid.uuid4(), uuid.uuid4()


async def test_opt_outs_become_preferences_and_come_back(postgres: EmbeddedPostgres) -> None:
    scratch = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = Database(postgres.url, pool_size=1)
    async with admin.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    url = postgres.url.rsplit("/", 1)[0] + "/" + scratch
    check = Database(url, pool_size=1)
    try:
        # Alembic's env runs its own event loop: keep it off the test's loop.
        await asyncio.to_thread(migrations.upgrade, "notifications", url, IN_APP)
        async with check.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO notifications.email_opt_outs (user_id, kind, created_at) "
                    "VALUES (:ann, 'document_failed', now()), (:ann, 'digest', now()), "
                    "(:bob, 'document_indexed', now()), (:bob, 'digest', now())"
                ),
                {"ann": ANN, "bob": BOB},
            )
        await asyncio.to_thread(migrations.upgrade, "notifications", url)
        async with check.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT user_id, type, in_app, email, sms "
                    "FROM notifications.notification_preferences ORDER BY user_id, type"
                )
            )
            moved = {(row.user_id, row.type): (row.in_app, row.email, row.sms) for row in rows}
        off = (True, False, False)
        assert moved == {
            (ANN, "document_index_failed"): off,
            (ANN, "document_indexed"): off,
            (ANN, "saved_search_matched"): off,
            (BOB, "document_indexed"): off,
            (BOB, "saved_search_matched"): off,
        }

        await asyncio.to_thread(migrations.downgrade, "notifications", url, IN_APP)
        async with check.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT user_id, kind FROM notifications.email_opt_outs")
            )
            back = {(row.user_id, row.kind) for row in rows}
        assert back == {
            (ANN, "document_failed"),
            (ANN, "document_indexed"),
            (ANN, "saved_search_matched"),
            (BOB, "document_indexed"),
            (BOB, "saved_search_matched"),
        }
    finally:
        await check.dispose()
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE "{scratch}" WITH (FORCE)'))
        await admin.dispose()
