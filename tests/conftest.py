"""Fixtures for every test: a throwaway embedded PostgreSQL, the real Redis, ASGI clients."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from sift.core.config import CoreSettings, Environment
from sift.core.db import Database, ReadSession
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port
from sift.runtime.migrate import migrate_all

os.environ.setdefault("SIFT_ENV", "test")
os.environ.setdefault("SIFT_LOG_JSON", "false")
# torch's thread count is per process: a search app in the test process must not slow the
# ingestion tests that embed in the same process.
os.environ.setdefault("SIFT_SEARCH_QUERY_EMBEDDING_THREADS", "0")
# A loaded CI machine can starve the event loop past the 1 s production default, and a
# check that times out answers 503 (fail closed). Tests of the timeout set their own.
os.environ.setdefault("SIFT_AUTH_REVOCATION_TIMEOUT_SECONDS", "15")
REDIS_URL = os.environ.get("SIFT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# One prefix per test run: concurrent runs on one Redis never see each other's keys.
RUN_PREFIX = f"sift-test:{uuid.uuid4().hex[:8]}:"


@pytest.fixture(scope="session")
def postgres() -> Iterator[EmbeddedPostgres]:
    data_dir = Path(tempfile.mkdtemp(prefix="sift-test-pg-"))
    server = EmbeddedPostgres(data_dir, free_port())
    server.start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def base_settings(
    postgres: EmbeddedPostgres, tmp_path_factory: pytest.TempPathFactory
) -> CoreSettings:
    settings = CoreSettings(
        env=Environment.test,
        database_url=postgres.url,
        redis_url=REDIS_URL,
        redis_prefix=RUN_PREFIX,
        data_dir=tmp_path_factory.mktemp("data"),
        log_json=False,
    )
    migrate_all(settings)  # the real migrations, not create_all
    return settings


@pytest.fixture
def settings(base_settings: CoreSettings) -> CoreSettings:
    """Settings of one test: its own Redis key prefix."""
    return base_settings.model_copy(update={"redis_prefix": f"{RUN_PREFIX}{uuid.uuid4().hex[:8]}:"})


@pytest.fixture(scope="session")
async def database(base_settings: CoreSettings) -> AsyncIterator[Database]:
    db = Database(base_settings.sqlalchemy_url, pool_size=5)
    yield db
    await db.dispose()


class TransactionalDatabase(Database):
    """A Database whose sessions live inside one outer transaction that the test rolls back."""

    def __init__(self, connection: AsyncConnection, engine_owner: Database) -> None:
        self.engine = engine_owner.engine
        self.sessionmaker = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        self.read_sessionmaker = async_sessionmaker(
            bind=connection,
            class_=ReadSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )


@pytest.fixture
async def db_connection(database: Database) -> AsyncIterator[AsyncConnection]:
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
async def session(
    db_connection: AsyncConnection, database: Database
) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back when the test ends."""
    async with TransactionalDatabase(db_connection, database).sessionmaker() as session:
        yield session


@pytest.fixture
async def redis(settings: CoreSettings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    keys = [key async for key in client.scan_iter(match=settings.redis_prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def service_client(
    settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> ClientFactory:
    """`async with service_client("documents") as client:` a real app over ASGI.

    Its database work joins the test's transaction and is rolled back afterwards.
    """
    import importlib

    @asynccontextmanager
    async def factory(
        name: str, *, transactional: bool = True, app_settings: CoreSettings | None = None
    ) -> AsyncIterator[httpx.AsyncClient]:
        module = importlib.import_module(f"sift.{name}.app")
        app = module.create_app(app_settings or settings)
        async with app.router.lifespan_context(app):
            if transactional:
                await app.state.database.dispose()
                app.state.database = TransactionalDatabase(db_connection, database)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as client:
                yield client

    return factory


@pytest.fixture
async def clean_outboxes(database: Database) -> AsyncIterator[None]:
    """For tests that must really commit (relay, consumers): start from empty event tables."""
    from sift import SERVICES

    async def truncate() -> None:
        async with database.engine.begin() as conn:
            for schema in SERVICES:
                await conn.execute(text(f'TRUNCATE "{schema}".outbox, "{schema}".processed_events'))

    await truncate()
    yield
    await truncate()
