"""A committed world for the privacy flows: every service app on the real database, each
service's consumer group pumped by hand (relay, then one batch per group, until quiet), real
indexing, and people who used the features.

Everything commits (the consumers have their own connections), so every table of every
service schema is emptied before and after.
"""

from __future__ import annotations

import asyncio
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import select, text

from sift import SERVICES
from sift.core.config import CoreSettings, StorageSettings
from sift.core.db import Database
from sift.core.events.consumer import Consumer
from sift.core.events.runner import consume_once
from sift.core.privacy import runtime
from sift.core.tasks import celery_app, configure_celery, task_settings
from sift.identity.models import Membership
from sift.notifications.inapp import fanout
from sift.runtime.consumers import discover_consumers
from sift.search.config import IngestSettings
from sift.search.ingestion.tasks import run_index
from sift.search.models import DocumentIndex
from tests.core.events.conftest import drain_outboxes
from tests.every_service import service_apps
from tests.identity.conftest import PASSWORD

TOTP_SECRET_FIELD = "secret"
# Kept by a trigger on search.chunks, which empties them when chunks is truncated.
TRIGGER_KEPT = ("postings", "collection_term_stats", "collection_lexemes")


@asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def empty_every_schema(database: Database) -> None:
    async with database.engine.begin() as conn:
        rows = await conn.execute(
            text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema = ANY(:schemas) AND table_type = 'BASE TABLE' "
                "AND table_name <> ALL(:kept)"
            ),
            {"schemas": list(SERVICES), "kept": ["alembic_version", *TRIGGER_KEPT]},
        )
        tables = ", ".join(f'"{schema}"."{name}"' for schema, name in rows.all())
        # The audit log's trigger refuses TRUNCATE; between tests (as superuser) it may.
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text(f"TRUNCATE {tables} CASCADE"))


@dataclass
class Person:
    user_id: uuid.UUID
    email: str
    name: str
    org_id: uuid.UUID  # the personal organization
    token: str
    team_token: str = ""
    recovery_code: str | None = None
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def team_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.team_token}"}


@dataclass
class World:
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    settings: CoreSettings
    database: Database
    redis: Redis
    storage_root: Path
    executor: ThreadPoolExecutor
    ingest_settings: IngestSettings
    consumers: list[Consumer] = field(default_factory=list)

    async def pump(self, rounds: int = 30) -> None:
        """Relay and consume until no service has anything left to say."""
        for _ in range(rounds):
            relayed = await drain_outboxes(self.database, self.redis, self.settings, SERVICES)
            applied = 0
            for consumer in self.consumers:
                stats = await consume_once(
                    consumer,
                    database=self.database,
                    redis=self.redis,
                    settings=self.settings,
                    name=f"test-{consumer.group}",
                )
                assert stats.failed == 0, f"{consumer.group} failed an event"
                applied += stats.applied
            await fanout.flush()
            if relayed == 0 and applied == 0:
                return
        raise AssertionError("the services never went quiet")

    async def step(self, *groups: str) -> None:
        """Relays, then lets only `groups` consume once each (the others are "down")."""
        for group in groups:
            await drain_outboxes(self.database, self.redis, self.settings, SERVICES)
            [consumer] = [c for c in self.consumers if c.group == group]
            stats = await consume_once(
                consumer,
                database=self.database,
                redis=self.redis,
                settings=self.settings,
                name=f"test-{group}",
            )
            assert stats.failed == 0, f"{group} failed an event"

    async def index_queued(self) -> int:
        """Indexes every queued version the way the ingest worker does."""
        async with self.database.read_sessionmaker() as session:
            queued = list(
                await session.scalars(
                    select(DocumentIndex.version_id).where(DocumentIndex.status == "queued")
                )
            )
        loop = asyncio.get_running_loop()
        for version_id in queued:
            status = await loop.run_in_executor(
                self.executor,
                lambda v=version_id: run_index(v, self.ingest_settings, core=self.settings),
            )
            assert status == "indexed", status
        return len(queued)

    async def settle(self) -> None:
        """Events delivered, uploads indexed, and what indexing announced delivered too."""
        await self.pump()
        if await self.index_queued():
            await self.pump()

    # --- people ---

    async def sign_up(self, email: str, name: str) -> Person:
        answer = await self.clients["identity"].post(
            "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": name}
        )
        assert answer.status_code == 201, answer.text
        body = answer.json()
        token = body["access_token"]
        me = await self.clients["identity"].get(
            "/api/users/me", headers={"Authorization": f"Bearer {token}"}
        )
        orgs = await self.clients["identity"].get(
            "/api/orgs", headers={"Authorization": f"Bearer {token}"}
        )
        [personal] = orgs.json()["items"]
        return Person(
            user_id=uuid.UUID(me.json()["id"]),
            email=email,
            name=name,
            org_id=uuid.UUID(personal["id"]),
            token=token,
        )

    async def create_team(self, owner: Person, name: str = "Harbour team") -> uuid.UUID:
        created = await self.clients["identity"].post(
            "/api/orgs", headers=owner.headers, json={"name": name}
        )
        assert created.status_code == 201, created.text
        org_id = uuid.UUID(created.json()["id"])
        owner.team_token = await self.switch(owner, org_id)
        return org_id

    async def join(self, person: Person, org_id: uuid.UUID, role: str = "editor") -> None:
        async with self.database.sessionmaker() as session, session.begin():
            session.add(Membership(org_id=org_id, user_id=person.user_id, role=role))
        person.team_token = await self.switch(person, org_id)

    async def switch(self, person: Person, org_id: uuid.UUID) -> str:
        switched = await self.clients["identity"].post(
            f"/api/orgs/{org_id}/switch", headers=person.headers
        )
        assert switched.status_code == 200, switched.text
        token: str = switched.json()["access_token"]
        return token

    async def enable_totp(self, person: Person) -> None:
        identity = self.clients["identity"]
        setup = await identity.post(
            "/api/auth/mfa/totp/setup", headers=person.headers, json={"password": PASSWORD}
        )
        assert setup.status_code == 200, setup.text
        code = pyotp.TOTP(setup.json()[TOTP_SECRET_FIELD]).now()
        enabled = await identity.post(
            "/api/auth/mfa/totp/enable", headers=person.headers, json={"code": code}
        )
        assert enabled.status_code == 200, enabled.text
        person.recovery_code = enabled.json()["recovery_codes"][0]

    async def collection(self, headers: dict[str, str], name: str) -> str:
        created = await self.clients["documents"].post(
            "/api/collections", headers=headers, json={"name": name}
        )
        assert created.status_code == 201, created.text
        collection_id: str = created.json()["id"]
        return collection_id

    async def upload(
        self, headers: dict[str, str], collection_id: str, filename: str, content: bytes
    ) -> str:
        uploaded = await self.clients["documents"].post(
            "/api/documents",
            headers=headers,
            data={"collection_id": collection_id},
            files={"file": (filename, content, "text/plain")},
        )
        assert uploaded.status_code == 201, uploaded.text
        document_id: str = uploaded.json()["id"]
        return document_id

    async def new_version(self, headers: dict[str, str], document_id: str, content: bytes) -> None:
        added = await self.clients["documents"].post(
            f"/api/documents/{document_id}/versions",
            headers=headers,
            files={"file": ("notes-v2.txt", content, "text/plain")},
        )
        assert added.status_code in (200, 201), added.text

    async def export(self, person: Person) -> bytes:
        """Asks for an export, lets the services answer, downloads the archive."""
        audit = self.clients["audit"]
        asked = await audit.post("/api/privacy/exports", headers=person.headers)
        assert asked.status_code == 202, asked.text
        request_id = asked.json()["id"]
        pending = await audit.get(f"/api/privacy/exports/{request_id}", headers=person.headers)
        assert pending.json()["status"] == "pending"
        await self.pump()
        ready = await audit.get(f"/api/privacy/exports/{request_id}", headers=person.headers)
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "ready", body
        assert set(body["services"].values()) == {"done"}
        downloaded = await audit.get(body["download_url"])
        assert downloaded.status_code == 200, downloaded.text
        assert downloaded.headers["content-type"] == "application/zip"
        return downloaded.content


def archive_entries(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


@pytest.fixture
async def world(
    settings: CoreSettings,
    database: Database,
    redis: Redis,
    ingest_thread: ThreadPoolExecutor,
    ingest_settings: IngestSettings,
    clean_outboxes: None,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[World]:
    monkeypatch.setenv("SIFT_AUTH_REVOCATION_TIMEOUT_SECONDS", "15")
    # The session's storage, not the test's: the ingest thread's runtime keeps the storage
    # of its first use for the whole session (other tests' files there name other people).
    storage_root = settings.data_dir / "files"
    app_settings = settings.model_copy(update={"storage": StorageSettings(local_root=storage_root)})
    await empty_every_schema(database)
    runtime.configure(app_settings)
    fanout.use_settings(app_settings)
    # As `sift consume` does: tasks the handlers enqueue go to this test's Redis prefix.
    previous, producers = task_settings(), celery_app.amqp._producer_pool  # type: ignore[attr-defined]
    configure_celery(app_settings)
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]
    apps = service_apps(app_settings)
    consumers = [consumer for name in SERVICES for consumer in discover_consumers(name)]
    try:
        async with AsyncExitStack() as stack:
            clients = {
                name: await stack.enter_async_context(started(app)) for name, app in apps.items()
            }
            yield World(
                apps,
                clients,
                app_settings,
                database,
                redis,
                storage_root,
                ingest_thread,
                ingest_settings,
                consumers,
            )
    finally:
        await fanout.flush()
        await fanout.close_process_bus()
        fanout.use_settings(None)
        runtime.configure(None)
        configure_celery(previous)
        celery_app.amqp._producer_pool = producers  # type: ignore[attr-defined]
        await empty_every_schema(database)


ALICE_FILE_V1 = b"Lighthouse maintenance log. The north beacon lens was polished in spring.\n"
ALICE_FILE_V2 = b"Lighthouse maintenance log. The north beacon lens was replaced in autumn.\n"
ALICE_SHARED_FILE = b"Harbour crane inspection: the east crane passed its load test.\n"
BOB_FILE = b"Ferry timetable draft: the evening ferry leaves at nine o'clock sharp.\n"


@dataclass
class Busy:
    """Two people who used every feature; Alice also in Bob's team organization."""

    alice: Person
    bob: Person
    team_id: uuid.UUID
    alice_document: str  # in her personal organization, two versions
    alice_shared_document: str  # in the team's collection
    bob_document: str


async def busy_people(world: World) -> Busy:
    alice = await world.sign_up("alice.zephyrine@example.com", "Alice Zephyrine")
    bob = await world.sign_up("bob.quillfeather@example.com", "Bob Quillfeather")
    team_id = await world.create_team(bob)
    await world.join(alice, team_id)

    private = await world.collection(alice.headers, "Lighthouse")
    alice_document = await world.upload(alice.headers, private, "lighthouse.txt", ALICE_FILE_V1)
    await world.settle()
    await world.new_version(alice.headers, alice_document, ALICE_FILE_V2)
    shared = await world.collection(bob.team_headers, "Harbour")
    alice_shared = await world.upload(alice.team_headers, shared, "crane.txt", ALICE_SHARED_FILE)
    bob_document = await world.upload(bob.team_headers, shared, "ferry.txt", BOB_FILE)
    await world.settle()

    search, assistant = world.clients["search"], world.clients["assistant"]
    for person, query in ((alice, "beacon lens"), (bob, "evening ferry")):
        found = await search.post("/api/search", headers=person.headers, json={"query": query})
        assert found.status_code == 200, found.text
        saved = await search.post(
            "/api/saved-searches",
            headers=person.headers,
            json={"name": f"{query} watch", "query": query, "notify": True},
        )
        assert saved.status_code == 201, saved.text
    asked = await assistant.post(
        "/api/assistant/ask",
        headers=alice.headers,
        json={"question": "What happened to the north beacon lens?"},
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["citations"], asked.json()
    rated = await assistant.post(
        f"/api/assistant/messages/{asked.json()['message_id']}/feedback",
        headers=alice.headers,
        json={"rating": "up", "comment": "Exactly what I needed"},
    )
    assert rated.status_code in (200, 201, 204), rated.text
    bob_asked = await assistant.post(
        "/api/assistant/ask",
        headers=bob.team_headers,
        json={"question": "When does the evening ferry leave?"},
    )
    assert bob_asked.status_code == 200, bob_asked.text
    preferences = await world.clients["notifications"].get(
        "/api/notifications/preferences", headers=alice.headers
    )
    assert preferences.status_code == 200, preferences.text
    changed = await world.clients["notifications"].put(
        "/api/notifications/preferences",
        headers=alice.headers,
        json={**preferences.json(), "digest": "weekly"},
    )
    assert changed.status_code == 200, changed.text
    key = await world.clients["identity"].post(
        f"/api/orgs/{alice.org_id}/api-keys",
        headers=alice.headers,
        json={"name": "Alice's script", "permissions": ["search:read"]},
    )
    assert key.status_code == 201, key.text
    for choice in ({"analytics": True, "product_email": False}, {"analytics": False}):
        chosen = await world.clients["audit"].put(
            "/api/privacy/consents", headers=alice.headers, json=choice
        )
        assert chosen.status_code == 200, chosen.text
    await world.enable_totp(alice)
    await world.settle()
    return Busy(alice, bob, team_id, alice_document, alice_shared, bob_document)
