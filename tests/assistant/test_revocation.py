"""Revocation reaches the assistant: a deleted API key's token is refused here at once."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncConnection

from sift.assistant.app import create_app
from sift.core.config import CoreSettings
from sift.core.db import Database
from tests.core.auth.jwks_over_asgi import service_verifying_with_identity
from tests.identity.conftest import Identity, identity, identity_factory

__all__ = ["identity", "identity_factory"]  # identity's fixtures, for the app here


async def test_a_deleted_api_keys_token_is_refused_by_the_assistant(
    identity: Identity, settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> None:
    app = create_app(settings)
    async with service_verifying_with_identity(
        app, identity.app, db_connection, database
    ) as client:
        body = await identity.signup("ada@example.com")
        owner = {"Authorization": f"Bearer {body['access_token']}"}
        [org] = (await identity.client.get("/api/orgs", headers=owner)).json()["items"]
        org_id = org["id"]
        created = await identity.client.post(
            f"/api/orgs/{org_id}/api-keys",
            json={"name": "bot", "permissions": ["assistant:ask"]},
            headers=owner,
        )
        assert created.status_code == 201, created.text
        exchanged = await identity.client.post(
            "/api/auth/api-keys/token",
            headers={"Authorization": f"Bearer {created.json()['key']}"},
        )
        key = {"Authorization": f"Bearer {exchanged.json()['access_token']}"}
        path = "/api/assistant/conversations"
        assert (await client.get(path, headers=key)).status_code == 200

        deleted = await identity.client.delete(
            f"/api/orgs/{org_id}/api-keys/{created.json()['id']}", headers=owner
        )
        assert deleted.status_code == 204
        deleted_at = time.monotonic()
        assert (await client.get(path, headers=key)).status_code == 401
        assert time.monotonic() - deleted_at < 1.0
        assert (await client.get(path, headers=owner)).status_code == 200
