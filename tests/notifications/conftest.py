"""Fixtures of the notifications tests: the development mail capture on a free port, the
real Celery worker, settings as a worker reads them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

import sift.notifications.delivery.tasks  # noqa: F401 - the worker runs the tasks registered here
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.notifications.app import create_app
from sift.notifications.config import NotificationsSettings
from sift.notifications.email.capture import MailStore, mail_dir, start_capture
from tests.app_client import SignedApi, started_with_test_key
from tests.conftest import TransactionalDatabase
from tests.core.conftest import (  # noqa: F401 - the real worker
    _celery_worker_thread,
    celery_settings,
    celery_worker,
)


@dataclass(frozen=True)
class Capture:
    store: MailStore
    port: int


@pytest.fixture
async def capture(tmp_path: Path) -> AsyncIterator[Capture]:
    """The real aiosmtpd capture, storing under `tmp_path` (as a data dir) on a free port."""
    store = MailStore(mail_dir(tmp_path), max_messages=3)
    server = await start_capture(store, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    try:
        yield Capture(store, port)
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def tx_database(db_connection: AsyncConnection, database: Database) -> Database:
    """The test's database, its work in the test's transaction (rolled back after)."""
    return TransactionalDatabase(db_connection, database)


# --- e-mail delivery ------------------------------------------------------------------------


@pytest.fixture
def mail_settings(
    monkeypatch: pytest.MonkeyPatch, capture: Capture
) -> Iterator[Callable[..., NotificationsSettings]]:
    """`mail_settings(**env)`: the service's settings from the environment, as a worker reads
    them, mailing the capture unless told otherwise; fast retries."""
    from sift.notifications.config import get_notifications_settings

    def configure(**env: str) -> NotificationsSettings:
        values = {
            "SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT": str(capture.port),
            "SIFT_NOTIFICATIONS_DELIVERY_RETRY_BASE_SECONDS": "0.05",
            "SIFT_NOTIFICATIONS_DELIVERY_RETRY_MAX_SECONDS": "0.2",
            **env,
        }
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_notifications_settings.cache_clear()
        return get_notifications_settings()

    configure()
    yield configure
    monkeypatch.undo()
    get_notifications_settings.cache_clear()


@pytest.fixture
async def committed_deliveries(database: Database) -> AsyncIterator[None]:
    """For tests whose deliveries a real worker must see: empty delivery tables around them."""

    async def empty() -> None:
        async with database.engine.begin() as connection:
            await connection.execute(
                text(
                    "TRUNCATE notifications.deliveries, notifications.delivery_attempts, "
                    "notifications.email_suppressions, notifications.email_addresses, "
                    "notifications.notification_preferences, notifications.recipient_settings"
                )
            )

    await empty()
    yield
    await empty()


class NotificationsApi(SignedApi):
    """Callers in a new organization each unless told."""


@pytest.fixture
async def api(
    settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> AsyncIterator[NotificationsApi]:
    """The notifications app over ASGI, its DB work rolled back; tokens from a test key."""
    app = create_app(settings)
    async with started_with_test_key(app, settings, db_connection, database) as (client, key):
        yield NotificationsApi(app, client, key, settings)
