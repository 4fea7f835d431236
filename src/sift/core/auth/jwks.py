"""identity's public keys, fetched over HTTP and cached in the process and in Redis.

Keys are looked up by `kid`. A fresh process reads the JWKS that another process left in
Redis before it asks identity. A token signed with a key this cache does not know (after
a rotation) triggers one fetch from identity, at most once per `jwks_refetch_min_seconds`
across all processes, so forged `kid`s cannot turn into a flood of requests.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import jwt
import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from sift.core.auth.config import AuthSettings
from sift.core.auth.tokens import ASYMMETRIC_ALGORITHMS
from sift.core.config import CoreSettings
from sift.core.http import create_http_client

log = structlog.get_logger()

_REDIS_FAILURES = (RedisError, OSError, TimeoutError)


def parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    """The usable signing keys of a JWKS by `kid` (others are skipped, never trusted)."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        kid, algorithm = entry.get("kid"), entry.get("alg")
        if not isinstance(kid, str) or algorithm not in ASYMMETRIC_ALGORITHMS:
            continue
        try:
            keys[kid] = jwt.PyJWK(entry, algorithm)
        except jwt.PyJWTError:
            log.warning("auth.jwks_key_skipped", kid=kid)
    return keys


class JwksKeySource:
    def __init__(
        self,
        redis: Redis,
        settings: CoreSettings,
        config: AuthSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.redis = redis
        self.config = config
        self.transport = transport
        self._document_key = settings.redis_key("auth", "jwks")
        self._refetch_key = settings.redis_key("auth", "jwks", "refetch")
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at = float("-inf")
        self._last_refetch = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0  # requests made to identity (metrics and tests)

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        if time.monotonic() - self._loaded_at >= self.config.jwks_cache_seconds:
            async with self._lock:
                if time.monotonic() - self._loaded_at >= self.config.jwks_cache_seconds:
                    await self._load(from_redis=True)
        if kid not in self._keys:
            async with self._lock:
                if kid not in self._keys and self._may_refetch():
                    await self._load(from_redis=False)
        return self._keys.get(kid)

    def _may_refetch(self) -> bool:
        return time.monotonic() - self._last_refetch >= self.config.jwks_refetch_min_seconds

    async def _load(self, *, from_redis: bool) -> None:
        document: Any = None
        if from_redis:
            document = await self._read_shared()
        else:
            self._last_refetch = time.monotonic()
            if not await self._claim_refetch():
                # Another process fetches (or just fetched) it: take what it shares.
                document = await self._read_shared()
        if document is None:
            document = await self._fetch()
        if document is not None:
            self._keys = parse_jwks(document)
            self._loaded_at = time.monotonic()

    async def _fetch(self) -> Any:
        self.fetches += 1
        try:
            async with create_http_client(timeout=5.0, transport=self.transport) as client:
                response = await client.get(self.config.jwks_url)
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("auth.jwks_fetch_failed", url=self.config.jwks_url, error=str(exc))
            return None
        await self._share(document)
        log.info("auth.jwks_fetched", keys=len(document.get("keys", [])))
        return document

    async def _read_shared(self) -> Any:
        try:
            raw = await self.redis.get(self._document_key)
        except _REDIS_FAILURES as exc:
            log.warning("auth.jwks_cache_unavailable", error=str(exc))
            return None
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    async def _share(self, document: Any) -> None:
        try:
            ttl_ms = int(self.config.jwks_cache_seconds * 1000)
            await self.redis.set(self._document_key, json.dumps(document), px=ttl_ms)
        except _REDIS_FAILURES as exc:
            log.warning("auth.jwks_cache_unavailable", error=str(exc))

    async def _claim_refetch(self) -> bool:
        interval_ms = int(self.config.jwks_refetch_min_seconds * 1000)
        if interval_ms <= 0:
            return True
        try:
            return bool(await self.redis.set(self._refetch_key, b"1", nx=True, px=interval_ms))
        except _REDIS_FAILURES:
            return True  # no coordination without Redis: the per-process limit still holds
