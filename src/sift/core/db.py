"""Async SQLAlchemy 2.0: one engine per process, one schema per service, unit-of-work sessions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, func, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapped, mapped_column

# Defined with the event contracts (plain data, free of core); services take it from here.
from sift.contracts.ids import new_id as new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    """Metadata for a service's declarative base: its own schema, stable constraint names."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class ReadSession(AsyncSession):
    """A session whose transaction PostgreSQL itself keeps read-only.

    A distinct type so that a read path cannot be handed to code that writes.
    """


class Database:
    """The process's engine and its session factories."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        statement_timeout_ms: int = 10_000,
        pool_timeout_seconds: float = 30.0,
        echo: bool = False,
    ) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url,
            # Twice `pool_size` connections at most, as before, but each stays open once made:
            # an overflow connection was closed on its return and made again at the next
            # burst (a server process, a TLS attempt, type introspection): ~4 % of
            # identity's CPU in a profile under load.
            pool_size=2 * pool_size,
            max_overflow=0,
            # A service passes a short wait: past it, the request is refused (503), not queued.
            pool_timeout=pool_timeout_seconds,
            # No pre-ping: with asyncpg it costs three round trips (BEGIN, ";", ROLLBACK) on
            # every checkout. A connection the server dropped fails its request instead, and
            # SQLAlchemy then discards every pooled connection older than the failure
            # (`sift.core.overload` answers that request with a 503 to retry).
            pool_pre_ping=False,
            echo=echo,
            connect_args={"server_settings": {"statement_timeout": str(statement_timeout_ms)}},
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessionmaker = async_sessionmaker(
            self.engine, class_=ReadSession, expire_on_commit=False
        )

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def get_database(request: Request) -> Database:
    # Every dependency here is `async`: FastAPI runs a plain function in a worker thread.
    database: Database = request.app.state.database
    return database


async def _write_session(
    database: Annotated[Database, Depends(get_database)],
) -> AsyncIterator[AsyncSession]:
    # The request is the unit of work: services flush, the boundary commits.
    async with database.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


async def begin_read_only(session: AsyncSession) -> None:
    """Makes the session's transaction read-only in PostgreSQL.

    On a connection from the pool, asyncpg then opens it with `BEGIN READ ONLY`: no round
    trip of its own. A session joined to a transaction already open (tests) sets it.
    """
    if isinstance(session.bind, AsyncEngine):
        await session.connection(execution_options={"postgresql_readonly": True})
    else:
        await session.execute(text("SET TRANSACTION READ ONLY"))


async def _read_session(
    database: Annotated[Database, Depends(get_database)],
) -> AsyncIterator[ReadSession]:
    async with database.read_sessionmaker() as session:
        await begin_read_only(session)
        try:
            yield session
        finally:
            await session.rollback()


# scope="function": commit before the response is sent, so a failed commit is the
# client's 500/409 and never a 200 for data that was not stored.
SessionDep = Annotated[AsyncSession, Depends(_write_session, scope="function")]
ReadSessionDep = Annotated[ReadSession, Depends(_read_session, scope="function")]


def jsonable(value: Any) -> Any:
    """Plain JSON for JSONB columns (UUIDs and datetimes as strings)."""
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(value)
