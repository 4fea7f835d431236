"""Fixtures of the identity tests: the real app over ASGI (HTTPS, same-origin), factories."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.core.auth.csrf import CSRF_COOKIE, CSRF_HEADER
from sift.core.auth.permissions import Role
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.identity.accounts.passwords import hasher
from sift.identity.app import create_app
from sift.identity.config import IdentitySettings
from sift.identity.models import Membership, Organization, OutboxEvent, User
from sift.identity.tokens.access import issue_access_token
from tests.conftest import TransactionalDatabase

PASSWORD = "correct horse battery staple"
ORIGIN = "https://localhost:8443"


def cheap_config(**changes: Any) -> IdentitySettings:
    """Argon2 at its cheapest: tests hash many passwords."""
    values: dict[str, Any] = {
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8192,
        "argon2_parallelism": 1,
    }
    values.update(changes)
    return IdentitySettings(**values)


@cache
def password_hash(password: str = PASSWORD) -> str:
    return hasher(1, 8192, 1).hash(password)


@dataclass
class Identity:
    app: FastAPI
    client: httpx.AsyncClient

    def csrf(self) -> dict[str, str]:
        """The headers a same-origin page sends on a cookie-authenticated call."""
        return {"Origin": ORIGIN, CSRF_HEADER: self.client.cookies.get(CSRF_COOKIE) or ""}

    async def signup(self, email: str, password: str = PASSWORD, name: str = "Ada") -> Any:
        answer = await self.client.post(
            "/api/auth/signup", json={"email": email, "password": password, "name": name}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post(
            "/api/auth/login", json={"email": email, "password": password}
        )

    async def refresh(self, **kwargs: Any) -> httpx.Response:
        return await self.client.post("/api/auth/refresh", headers=self.csrf(), **kwargs)

    def browser(self, ip: str = "198.51.100.7") -> httpx.AsyncClient:
        """Another browser (its own cookie jar) on another network: `async with` it."""
        transport = httpx.ASGITransport(app=self.app, client=(ip, 50000))
        return httpx.AsyncClient(transport=transport, base_url="https://testserver")


IdentityFactory = Callable[..., AbstractAsyncContextManager[Identity]]


@pytest.fixture
def identity_factory(
    settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> IdentityFactory:
    """`async with identity_factory(config=...) as identity:` the app, its DB work rolled back."""

    @asynccontextmanager
    async def factory(
        *,
        config: IdentitySettings | None = None,
        transactional: bool = True,
        app_settings: CoreSettings | None = None,
    ) -> AsyncIterator[Identity]:
        app = create_app(app_settings or settings, config=config or cheap_config())
        async with app.router.lifespan_context(app):
            if transactional:
                await app.state.database.dispose()
                app.state.database = TransactionalDatabase(db_connection, database)
            transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
            async with httpx.AsyncClient(
                transport=transport, base_url="https://testserver"
            ) as client:
                yield Identity(app, client)

    return factory


@pytest.fixture
async def identity(identity_factory: IdentityFactory) -> AsyncIterator[Identity]:
    async with identity_factory() as app:
        yield app


@dataclass
class Member:
    user: User
    org: Organization
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_user(session: AsyncSession, email: str | None = None, name: str = "Ada") -> User:
    user = User(
        email=email or f"{uuid.uuid4().hex[:12]}@example.com",
        name=name,
        password_hash=password_hash(),
    )
    session.add(user)
    await session.flush()
    return user


async def make_org(
    session: AsyncSession, name: str = "Acme", *, personal: bool = False
) -> Organization:
    org = Organization(name=name, personal=personal)
    session.add(org)
    await session.flush()
    return org


async def add_member(
    session: AsyncSession,
    identity: Identity,
    org: Organization,
    role: Role | str,
    user: User | None = None,
) -> Member:
    """A member of `org` with `role` and an access token (no session) for it."""
    user = user or await make_user(session)
    session.add(Membership(org_id=org.id, user_id=user.id, role=role))
    await session.flush()
    access = await issue_access_token(
        identity.app.state.key_store, user_id=user.id, org_id=org.id, role=role, session_id=None
    )
    return Member(user, org, Role(role), access.token)


async def outbox_types(session: AsyncSession) -> list[str]:
    """The event types written so far in this test's transaction, in order."""
    rows = await session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.position))
    return list(rows)


async def outbox_events(session: AsyncSession, event_type: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(OutboxEvent.envelope)
        .where(OutboxEvent.type == event_type)
        .order_by(OutboxEvent.position)
    )
    return list(rows)


IDENTITY_TABLES = (
    "invitations",
    "single_use_tokens",
    "refresh_tokens",
    "refresh_families",
    "memberships",
    "organizations",
    "users",
    "signing_keys",
    "outbox",
    "processed_events",
)


@pytest.fixture
def committed_identity_factory(
    identity_factory: IdentityFactory, database: Database
) -> IdentityFactory:
    """`identity_factory` on the real database (its transactions commit), emptied around it."""

    async def empty() -> None:
        from sqlalchemy import text

        tables = ", ".join(f"identity.{name}" for name in IDENTITY_TABLES)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} CASCADE"))

    @asynccontextmanager
    async def factory(*, config: IdentitySettings | None = None) -> AsyncIterator[Identity]:
        await empty()
        try:
            async with identity_factory(config=config, transactional=False) as app:
                yield app
        finally:
            await empty()

    return factory


@pytest.fixture
async def committed_identity(
    committed_identity_factory: IdentityFactory,
) -> AsyncIterator[Identity]:
    """The app on the real database (its transactions commit), emptied afterwards."""
    async with committed_identity_factory() as app:
        yield app
