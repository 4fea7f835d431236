"""A small searchable world for the retrieval tests: the real search app over ASGI (its own
database connections), collections and grants fed through the access projection's event
handlers, documents indexed by the real ingestion pipeline, callers with real tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionMemberGranted,
    CollectionMemberRevoked,
)
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.search.access.projection import access_projection
from sift.search.app import create_app
from sift.search.config import SearchSettings
from sift.search.ingestion.documents import indexed_documents
from tests.core.auth.conftest import SigningKey, claims_for, ed25519_key
from tests.search.access_helpers import apply, envelope, truncate_access
from tests.search.conftest import Ingest


class StaticKeys:
    """The test's signing key, where identity's JWKS would be."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.jwk = jwt.PyJWK(key.jwk, key.algorithm)

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return self.jwk if kid == self.key.kid else None


@dataclass
class Doc:
    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    title: str


@dataclass
class World:
    app: FastAPI
    client: httpx.AsyncClient
    key: SigningKey
    settings: CoreSettings
    database: Database
    ingest: Ingest
    docs: list[Doc] = field(default_factory=list)

    @property
    def org_id(self) -> uuid.UUID:
        return self.ingest.org_id

    def headers(
        self,
        role: str = "viewer",
        user_id: uuid.UUID | None = None,
        org_id: uuid.UUID | None = None,
    ) -> dict[str, str]:
        token = self.key.sign(
            claims_for(
                self.settings,
                role=role,
                sub=str(user_id or uuid.uuid4()),
                org=str(org_id or self.org_id),
            )
        )
        return {"Authorization": f"Bearer {token}"}

    async def _apply(self, payload: Any, org_id: uuid.UUID | None = None) -> None:
        async with self.database.sessionmaker() as session, session.begin():
            await apply(session, envelope(payload, org_id or self.org_id, datetime.now(UTC)))

    async def collection(
        self,
        visibility: str = "org",
        *,
        org_id: uuid.UUID | None = None,
        language: str | None = None,
        redact_pii: bool = False,
    ) -> uuid.UUID:
        collection_id = uuid.uuid4()
        await self._apply(
            CollectionCreated(
                collection_id=collection_id,
                visibility=visibility,
                created_by=uuid.uuid4(),
                language=language,
                redact_pii=redact_pii,
            ),
            org_id,
        )
        return collection_id

    async def grant(self, collection_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self._apply(
            CollectionMemberGranted(collection_id=collection_id, user_id=user_id, role="viewer")
        )

    async def revoke(self, collection_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self._apply(
            CollectionMemberRevoked(
                collection_id=collection_id, user_id=user_id, previous_role="viewer"
            )
        )

    async def document(
        self,
        collection_id: uuid.UUID,
        text: str,
        *,
        title: str | None = None,
        tags: list[str] | None = None,
        content_type: str = "text/plain",
        encoding: str = "utf-8",
        created_at: datetime | None = None,
        org_id: uuid.UUID | None = None,
        data: bytes | None = None,
        language: str | None = None,
    ) -> Doc:
        """A document projected from its upload event and indexed by the real pipeline
        (`data`: the file's bytes, else `text` encoded; `language`: set by its uploader)."""
        document_id = uuid.uuid4()
        title = title or f"Document {len(self.docs) + 1}"
        saved_org = self.ingest.org_id
        self.ingest.org_id = org_id or saved_org
        try:
            async with self.database.sessionmaker() as session, session.begin():
                await access_projection.upsert_document(
                    session,
                    org_id=self.ingest.org_id,
                    document_id=document_id,
                    collection_id=collection_id,
                    at=created_at or datetime.now(UTC),
                    title=title,
                    tags=tags or [],
                    mime_type=content_type,
                    language=language,
                )
            announced = await self.ingest.announce(
                text.encode(encoding) if data is None else data,
                content_type=content_type,
                document_id=document_id,
                collection_id=collection_id,
            )
        finally:
            self.ingest.org_id = saved_org
        assert await self.ingest.run(announced.version_id) == "indexed"
        doc = Doc(document_id, announced.version_id, collection_id, title)
        self.docs.append(doc)
        return doc

    async def delete(self, doc: Doc) -> None:
        """What document.deleted does in search: chunks and projection row go."""
        async with self.database.sessionmaker() as session, session.begin():
            await indexed_documents.delete_document(session, doc.document_id)
            await access_projection.delete_document(
                session, org_id=self.org_id, document_id=doc.document_id, at=datetime.now(UTC)
            )

    async def search(self, headers: dict[str, str], **body: Any) -> httpx.Response:
        return await self.client.post("/api/search", headers=headers, json=body)

    async def found(self, headers: dict[str, str], query: str, **body: Any) -> list[uuid.UUID]:
        """The document IDs of a successful search's first page, in order."""
        answer = await self.search(headers, query=query, **body)
        assert answer.status_code == 200, answer.text
        return [uuid.UUID(item["document_id"]) for item in answer.json()["items"]]


@pytest.fixture
async def world(settings: CoreSettings, database: Database, ingest: Ingest) -> AsyncIterator[World]:
    await truncate_access(database)
    app = create_app(settings, config=SearchSettings(search_rate_limit="1000/minute"))
    key = ed25519_key()
    verifier = TokenVerifier(StaticKeys(key), issuer=settings.public_url, config=AuthSettings())
    Authenticator.install(app, Authenticator(verifier))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield World(app, client, key, settings, database, ingest)
    await truncate_access(database)
