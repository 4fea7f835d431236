"""Every service app started over ASGI on the test's PostgreSQL and Redis, with callers.

Shared by the whole-API sweeps (`tests/test_text_inputs.py`, `tests/security/`): one
organization with a member of each role and an API key, all holding tokens signed by
identity's own key store, which every other service verifies against (as production
verifies against identity's JWKS), and the IDs of real things for path parameters.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift import SERVICES
from sift.assistant.app import create_app as create_assistant
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.auth.permissions import ROLE_PERMISSIONS, USER_ONLY_PERMISSIONS, Role
from sift.core.config import CoreSettings, StorageSettings
from sift.core.db import Database
from sift.documents.app import create_app as create_documents
from sift.identity.app import create_app as create_identity
from sift.identity.config import IdentitySettings
from sift.search.app import create_app as create_search
from sift.search.config import SearchSettings
from tests.app_client import started
from tests.assistant.world import local_config
from tests.identity.conftest import Identity, add_member, cheap_config, make_org

GENEROUS = "100000/minute"
API_KEY = "api_key"


@dataclass
class Services:
    """Every service app, started; each caller's headers; IDs of real things."""

    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    callers: dict[str, dict[str, str]]  # "owner", "admin", "editor", "viewer", "api_key"
    ids: dict[str, str]

    @property
    def headers(self) -> dict[str, dict[str, str]]:
        """The owner's headers, for each service."""
        return dict.fromkeys(self.apps, self.callers[Role.owner])


class IdentityKeys:
    """identity's key store, where the other services would fetch its JWKS."""

    def __init__(self, identity: FastAPI) -> None:
        self.identity = identity

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        # Looked up late: identity makes its key store when it starts.
        key: jwt.PyJWK | None = await self.identity.state.key_store.get_key(kid)
        return key


def service_apps(settings: CoreSettings) -> dict[str, FastAPI]:
    """Every service's app, rate limits generous (a sweep is one caller sending a lot)."""
    search = create_search(settings, config=SearchSettings(search_rate_limit=GENEROUS))
    limits = {name: GENEROUS for name in IdentitySettings.model_fields if "_limit" in name}
    apps: dict[str, FastAPI] = {
        "identity": create_identity(settings, config=cheap_config(**limits)),
        "documents": create_documents(settings),
        "search": search,
        "assistant": create_assistant(
            settings,
            config=local_config(user_rate_limit=GENEROUS),
            search_transport=httpx.ASGITransport(app=search),
        ),
    }
    for name in SERVICES:
        if name not in apps:
            apps[name] = importlib.import_module(f"sift.{name}.app").create_app(settings)
    # Audit confirms an erasure's password with identity, over ASGI here.
    apps["audit"].state.privacy_identity_transport = httpx.ASGITransport(app=apps["identity"])
    keys = IdentityKeys(apps["identity"])
    verifier = TokenVerifier(keys, issuer=settings.public_url, config=AuthSettings())
    for name, app in apps.items():
        if name != "identity":
            Authenticator.install(app, Authenticator(verifier))
    return apps


@pytest.fixture
async def services(
    settings: CoreSettings,
    session: AsyncSession,
    db_connection: AsyncConnection,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Services]:
    # A sweep keeps two shared cores busy: a Redis answer can wait past the 1 s after which
    # the revocation check fails closed (503), which is not what the sweep looks for.
    monkeypatch.setenv("SIFT_AUTH_REVOCATION_TIMEOUT_SECONDS", "15")
    app_settings = settings.model_copy(
        update={"storage": StorageSettings(local_root=tmp_path / "files")}
    )
    apps = service_apps(app_settings)
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(started(app, db_connection, database))
            for name, app in apps.items()
        }
        org = await make_org(session, "Sweepers")
        identity = Identity(apps["identity"], clients["identity"])
        members = {role: await add_member(session, identity, org, role) for role in Role}
        callers: dict[str, dict[str, str]] = {
            role.value: member.headers for role, member in members.items()
        }
        owner = members[Role.owner]
        callers[API_KEY] = await api_key_headers(clients["identity"], owner.headers, org.id)
        ids = await real_things(clients, owner.headers, org.id, owner.user.id)
        yield Services(apps, clients, callers, ids)


async def api_key_headers(
    identity: httpx.AsyncClient, owner: dict[str, str], org_id: uuid.UUID
) -> dict[str, str]:
    """An API key holding every permission a key can hold, exchanged for its token."""
    permissions = sorted(ROLE_PERMISSIONS[Role.owner] - USER_ONLY_PERMISSIONS)
    created = await identity.post(
        f"/api/orgs/{org_id}/api-keys",
        headers=owner,
        json={"name": "Sweep", "permissions": permissions},
    )
    assert created.status_code == 201, created.text
    key = {"Authorization": f"Bearer {created.json()['key']}"}
    token = await identity.post("/api/auth/api-keys/token", headers=key)
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def real_things(
    clients: dict[str, httpx.AsyncClient],
    headers: dict[str, str],
    org_id: uuid.UUID,
    user_id: uuid.UUID,
) -> dict[str, str]:
    """Path IDs of things that exist, so that requests reach as far as they can."""
    documents = clients["documents"]
    collection = await documents.post("/api/collections", headers=headers, json={"name": "Sweep"})
    assert collection.status_code == 201, collection.text
    collection_id = collection.json()["id"]
    document = await documents.post(
        "/api/documents",
        headers=headers,
        data={"collection_id": collection_id},
        files={"file": ("sweep.txt", b"Sweeping notes.\n", "text/plain")},
    )
    assert document.status_code == 201, document.text
    saved = await clients["search"].post(
        "/api/saved-searches", headers=headers, json={"name": "S", "query": "notes"}
    )
    assert saved.status_code == 201, saved.text
    return {
        "org_id": str(org_id),
        "user_id": str(user_id),
        "collection_id": collection_id,
        "document_id": document.json()["id"],
        "saved_search_id": saved.json()["id"],
    }
