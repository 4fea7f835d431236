"""The process's view of the signing keys: signs access tokens, verifies them locally.

Keys are read from the database at most every `key_cache_seconds` (and when an unknown
`kid` shows up, at most once a second), so a rotation made by another replica is seen
long before its key starts signing.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from sift.core.db import Database
from sift.identity.keys.service import KeyView, private_key, signing_key_service
from sift.identity.web import IdentityContext

log = structlog.get_logger()

UNKNOWN_KID_RELOAD_SECONDS = 1.0


class KeyStore:
    def __init__(self, app: FastAPI, context: IdentityContext) -> None:
        self.app = app
        self.context = context
        self._keys: list[KeyView] = []
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()
        self._private: dict[str, Ed25519PrivateKey] = {}

    @property
    def database(self) -> Database:
        database: Database = self.app.state.database  # looked up late: tests swap it
        return database

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        """The public key of `kid` (the `KeySource` of identity's own verifier)."""
        await self._fresh()
        unknown = not any(key.kid == kid for key in self._keys)
        if unknown and time.monotonic() - self._loaded_at >= UNKNOWN_KID_RELOAD_SECONDS:
            await self.reload()
        return next((key.public for key in self._keys if key.kid == kid), None)

    async def jwks(self) -> dict[str, Any]:
        await self._fresh()
        return {"keys": [key.jwk for key in self._keys]}

    async def signer(self) -> tuple[str, Ed25519PrivateKey]:
        """The kid and private key that sign now; made (or rotated) when due."""
        await self._fresh()
        current = self._current()
        if current is None or self._due(current):
            await self._ensure_current()
            current = self._current()
            if current is None:
                raise RuntimeError("no signing key could be made")
        if current.kid not in self._private:
            self._private[current.kid] = private_key(self.context, current)
        return current.kid, self._private[current.kid]

    async def reload(self) -> None:
        async with self._lock:
            async with self.database.sessionmaker() as session:
                self._keys = await signing_key_service.usable(session, self.context)
            self._loaded_at = time.monotonic()

    async def _fresh(self) -> None:
        if time.monotonic() - self._loaded_at >= self.context.config.key_cache_seconds:
            await self.reload()

    def _current(self) -> KeyView | None:
        now = datetime.now(UTC)
        signing = [key for key in self._keys if key.signs_at(now)]
        return max(signing, key=lambda key: key.active_from) if signing else None

    def _due(self, key: KeyView) -> bool:
        now = datetime.now(UTC)
        waiting = any(other.active_from > now for other in self._keys)
        lead = self.context.config.key_publish_lead_seconds
        return not waiting and (key.retire_after - now).total_seconds() <= lead

    async def _ensure_current(self) -> None:
        # Its own unit of work: a key must exist whatever becomes of the request.
        async with self.database.sessionmaker() as session, session.begin():
            made = await signing_key_service.ensure_current(session, self.context)
        if made:
            log.info("identity.signing_key_made")
        await self.reload()
