"""Fixtures of the documents tests: the real app over ASGI, callers with real tokens, data.

Access tokens are signed with a test key and verified by the app's real verifier (only
the key lookup is local instead of identity's JWKS, which tests/core/auth covers).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings, StorageSettings
from sift.core.db import Database
from sift.core.storage import LocalStorage, Storage
from sift.documents.app import create_app
from sift.documents.config import DocumentsSettings
from sift.documents.models import Collection, CollectionMember, OutboxEvent
from tests.conftest import TransactionalDatabase
from tests.core.auth.conftest import SigningKey, claims_for, ed25519_key
from tests.core.conftest import s3_client, s3_endpoint, s3_settings

__all__ = ["s3_client", "s3_endpoint", "s3_settings"]  # S3 fixtures, for the S3 tests here

MAX_UPLOAD = 64 * 1024  # small, so that 413 is cheap to provoke


class StaticKeys:
    """A key source holding the test's signing key (what identity's JWKS would serve)."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.jwk = jwt.PyJWK(key.jwk, key.algorithm)

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return self.jwk if kid == self.key.kid else None


@dataclass
class Caller:
    """Someone calling with an access token for `org_id` as `role`."""

    token: str
    user_id: uuid.UUID
    org_id: uuid.UUID
    role: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Documents:
    app: FastAPI
    client: httpx.AsyncClient
    key: SigningKey
    settings: CoreSettings
    storage: Storage
    org_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def files(self) -> list[Path]:
        """Every file the local storage holds."""
        assert isinstance(self.storage, LocalStorage)
        return [path for path in self.storage.root.rglob("*") if path.is_file()]

    def caller(
        self,
        role: str = "editor",
        *,
        org_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        **claims: Any,
    ) -> Caller:
        user_id = user_id or uuid.uuid4()
        org_id = org_id or self.org_id
        token = self.key.sign(
            claims_for(self.settings, role=role, sub=str(user_id), org=str(org_id), **claims)
        )
        return Caller(token, user_id, org_id, role)

    async def upload(
        self,
        caller: Caller,
        collection_id: uuid.UUID | str,
        content: bytes,
        filename: str = "notes.txt",
        **form: Any,
    ) -> httpx.Response:
        return await self.client.post(
            "/api/documents",
            headers=caller.headers,
            data={"collection_id": str(collection_id), **form},
            files={"file": (filename, content, "application/octet-stream")},
        )

    async def uploaded(
        self, caller: Caller, collection_id: uuid.UUID, content: bytes | None = None, **kw: Any
    ) -> dict[str, Any]:
        """Uploads (unique text by default) and returns the document; fails on any error."""
        answer = await self.upload(
            caller, collection_id, content or f"Text {uuid.uuid4()}\n".encode(), **kw
        )
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        return body


DocumentsFactory = Callable[..., AbstractAsyncContextManager[Documents]]


@pytest.fixture
def documents_factory(
    settings: CoreSettings, db_connection: AsyncConnection, database: Database, tmp_path: Path
) -> DocumentsFactory:
    """`async with documents_factory(config=...) as docs:` the app, its DB work rolled back,
    its files under a temporary directory."""

    @asynccontextmanager
    async def factory(
        *,
        config: DocumentsSettings | None = None,
        storage: StorageSettings | None = None,
        transactional: bool = True,
    ) -> AsyncIterator[Documents]:
        storage = storage or StorageSettings(local_root=tmp_path / "files")
        app_settings = settings.model_copy(update={"storage": storage})
        app = create_app(
            app_settings, config=config or DocumentsSettings(max_upload_bytes=MAX_UPLOAD)
        )
        key = ed25519_key()
        verifier = TokenVerifier(
            StaticKeys(key), issuer=app_settings.public_url, config=AuthSettings()
        )
        Authenticator.install(app, Authenticator(verifier))
        async with app.router.lifespan_context(app):
            if transactional:
                await app.state.database.dispose()
                app.state.database = TransactionalDatabase(db_connection, database)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as client:
                yield Documents(app, client, key, app_settings, app.state.storage)

    return factory


@pytest.fixture
async def docs(documents_factory: DocumentsFactory) -> AsyncIterator[Documents]:
    async with documents_factory() as documents:
        yield documents


async def make_collection(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    name: str | None = None,
    visibility: str = "org",
    grants: dict[uuid.UUID, str] | None = None,
) -> Collection:
    collection = Collection(
        org_id=org_id,
        name=name or f"Collection {uuid.uuid4().hex[:8]}",
        visibility=visibility,
        created_by=uuid.uuid4(),
    )
    session.add(collection)
    await session.flush()
    for user_id, role in (grants or {}).items():
        session.add(
            CollectionMember(
                collection_id=collection.id, user_id=user_id, role=role, granted_by=uuid.uuid4()
            )
        )
    await session.flush()
    return collection


async def outbox(session: AsyncSession, event_type: str | None = None) -> list[dict[str, Any]]:
    """The envelopes written so far in this test's transaction, in order."""
    query = select(OutboxEvent.envelope).order_by(OutboxEvent.position)
    if event_type is not None:
        query = query.where(OutboxEvent.type == event_type)
    return list(await session.scalars(query))


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
async def collection_id(session: AsyncSession, docs: Documents) -> uuid.UUID:
    """A collection of the test's organization."""
    return (await make_collection(session, docs.org_id)).id
