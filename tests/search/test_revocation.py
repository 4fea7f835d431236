"""Revocation reaches search: a signed-out session's token is refused here at once."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncConnection

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.search.app import create_app
from tests.core.auth.jwks_over_asgi import service_verifying_with_identity
from tests.identity.conftest import Identity, identity, identity_factory

__all__ = ["identity", "identity_factory"]  # identity's fixtures, for the app here


async def test_a_signed_out_sessions_token_is_refused_by_search(
    identity: Identity, settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> None:
    app = create_app(settings)
    async with service_verifying_with_identity(
        app, identity.app, db_connection, database
    ) as search:
        body = await identity.signup("ada@example.com")
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        assert (await search.get("/api/saved-searches", headers=headers)).status_code == 200

        logout = await identity.client.post("/api/auth/logout", headers=identity.csrf())
        assert logout.status_code == 204
        signed_out_at = time.monotonic()
        refused = await search.get("/api/saved-searches", headers=headers)
        assert refused.status_code == 401
        assert time.monotonic() - signed_out_at < 1.0
