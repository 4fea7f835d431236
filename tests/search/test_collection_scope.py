"""Collection and document IDs named in a request are judged with the caller's access:
saved searches and evaluations refuse collections the caller cannot read (unknown, another
organization's, restricted) with one 422 answer, and the internal access check tells the
assistant which documents the caller reads now."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.contracts.events.documents import CollectionCreated, CollectionMemberGranted
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.search.access.projection import access_projection
from sift.search.app import create_app
from tests.conftest import TransactionalDatabase
from tests.core.auth.conftest import SigningKey, claims_for, ed25519_key
from tests.documents.conftest import StaticKeys
from tests.search.access_helpers import apply, at, envelope

READABLE_PATH = "/internal/search/documents/readable"


@dataclass
class Api:
    client: httpx.AsyncClient
    key: SigningKey
    settings: CoreSettings
    session: AsyncSession
    org_id: uuid.UUID

    def headers(
        self,
        role: str,
        user_id: uuid.UUID | None = None,
        *,
        org_id: uuid.UUID | None = None,
        key_permissions: list[str] | None = None,
    ) -> dict[str, str]:
        extra: dict[str, Any] = {}
        if key_permissions is not None:
            extra = {"kind": "api_key", "perms": key_permissions, "akid": str(uuid.uuid4())}
        claims = claims_for(
            self.settings,
            role=role,
            sub=str(user_id or uuid.uuid4()),
            org=str(org_id or self.org_id),
            **extra,
        )
        return {"Authorization": f"Bearer {self.key.sign(claims)}"}

    async def collection(self, visibility: str, org_id: uuid.UUID | None = None) -> uuid.UUID:
        collection_id = uuid.uuid4()
        created = CollectionCreated(
            collection_id=collection_id, visibility=visibility, created_by=uuid.uuid4()
        )
        await apply(self.session, envelope(created, org_id or self.org_id, at(0)))
        return collection_id

    async def grant(self, collection_id: uuid.UUID, user_id: uuid.UUID) -> None:
        granted = CollectionMemberGranted(
            collection_id=collection_id, user_id=user_id, role="viewer"
        )
        await apply(self.session, envelope(granted, self.org_id, at(1)))

    async def document(self, collection_id: uuid.UUID, org_id: uuid.UUID | None = None) -> str:
        document_id = uuid.uuid4()
        await access_projection.upsert_document(
            self.session,
            org_id=org_id or self.org_id,
            document_id=document_id,
            collection_id=collection_id,
            at=datetime.now(UTC),
            title="A document",
            tags=[],
            mime_type="text/plain",
        )
        await self.session.flush()
        return str(document_id)


@pytest.fixture
async def api(
    settings: CoreSettings,
    db_connection: AsyncConnection,
    database: Database,
    session: AsyncSession,
) -> AsyncIterator[Api]:
    app = create_app(settings)
    key = ed25519_key()
    verifier = TokenVerifier(StaticKeys(key), issuer=settings.public_url, config=AuthSettings())
    Authenticator.install(app, Authenticator(verifier))
    async with app.router.lifespan_context(app):
        await app.state.database.dispose()
        app.state.database = TransactionalDatabase(db_connection, database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client, key, settings, session, uuid.uuid4())


def refusal(response: httpx.Response, loc: list[str]) -> dict[str, Any]:
    """The 422 problem naming `loc`, without what differs per request."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/unknown-collections")
    assert [error["loc"] for error in body["errors"]] == [loc]
    return {name: value for name, value in body.items() if name not in ("instance", "request_id")}


async def test_a_saved_search_names_only_collections_its_owner_reads(api: Api) -> None:
    open_id = await api.collection("org")
    restricted = await api.collection("restricted")
    foreign = await api.collection("org", org_id=uuid.uuid4())
    viewer = uuid.uuid4()
    headers = api.headers("viewer", viewer)

    async def save(*collection_ids: uuid.UUID) -> httpx.Response:
        filters = {"collection_ids": [str(c) for c in collection_ids]}
        body = {"name": uuid.uuid4().hex, "query": "budget", "filters": filters}
        return await api.client.post("/api/saved-searches", headers=headers, json=body)

    assert (await save(open_id)).status_code == 201
    loc = ["body", "filters", "collection_ids"]
    refused = [
        refusal(await save(*ids), loc)
        for ids in ((restricted,), (foreign,), (uuid.uuid4(),), (open_id, uuid.uuid4()))
    ]
    # Unreadable, another organization's and unknown: one answer, no existence oracle.
    assert all(body == refused[0] for body in refused)
    await api.grant(restricted, viewer)
    assert (await save(open_id, restricted)).status_code == 201
    listed = await api.client.get("/api/saved-searches", headers=headers)
    assert len(listed.json()["items"]) == 2


async def test_an_evaluation_names_only_its_organizations_collections(api: Api) -> None:
    own = await api.collection("restricted")  # admins read every collection of theirs
    foreign = await api.collection("org", org_id=uuid.uuid4())
    headers = api.headers("admin")
    cases = [{"query": "budget", "relevant_document_ids": [str(uuid.uuid4())]}]

    async def run(*collection_ids: uuid.UUID) -> httpx.Response:
        ids = [str(c) for c in collection_ids]
        body = {"cases": cases, "modes": ["fulltext"], "collection_ids": ids}
        return await api.client.post("/api/search/evaluations", headers=headers, json=body)

    ran = await run(own)
    assert ran.status_code == 201, ran.text
    assert ran.json()["collection_ids"] == [str(own)]
    loc = ["body", "collection_ids"]
    assert refusal(await run(foreign), loc) == refusal(await run(uuid.uuid4()), loc)


async def test_the_assistant_learns_which_documents_the_caller_reads_now(api: Api) -> None:
    open_id = await api.collection("org")
    restricted = await api.collection("restricted")
    public = await api.document(open_id)
    secret = await api.document(restricted)
    foreign = await api.document(open_id, org_id=uuid.uuid4())
    asked = [public, secret, foreign, str(uuid.uuid4())]

    async def readable(headers: dict[str, str], ids: list[str] = asked) -> list[str]:
        response = await api.client.post(READABLE_PATH, headers=headers, json={"document_ids": ids})
        assert response.status_code == 200, response.text
        found: list[str] = response.json()["document_ids"]
        return found

    viewer = uuid.uuid4()
    assert await readable(api.headers("viewer", viewer)) == [public]
    await api.grant(restricted, viewer)
    assert sorted(await readable(api.headers("viewer", viewer))) == sorted([public, secret])
    admin = uuid.uuid4()
    assert sorted(await readable(api.headers("admin", admin))) == sorted([public, secret])
    # The admin's key, without collections:manage, reads what their grants allow: no more.
    key = api.headers("admin", admin, key_permissions=["documents:read", "search:read"])
    assert await readable(key) == [public]
    for ids in ([], [str(uuid.uuid4())] * 1001):
        too_many = await api.client.post(
            READABLE_PATH, headers=api.headers("viewer"), json={"document_ids": ids}
        )
        assert too_many.status_code == 422
    anonymous = await api.client.post(READABLE_PATH, json={"document_ids": [public]})
    assert anonymous.status_code == 401
