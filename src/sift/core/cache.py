"""Read-through cache over Redis with explicit invalidation.

    cache = Cache(request.app.state.redis, "collections", settings)
    collection = await cache.get_or_load(
        str(collection_id), lambda: load(session, collection_id), ttl=300, model=CollectionRead
    )
    ...
    await cache.invalidate(str(collection_id))   # after the write commits

Values are JSON written by a Pydantic TypeAdapter. A namespace carries a version number
that every value records, so invalidating a whole namespace is one INCR. A value loaded
while its key or namespace was invalidated is not stored (it may predate the change).
Concurrent misses of one key load once: per process by single flight, across processes
by a short Redis lock. The cache is an optimisation only: when Redis fails or is slow the
loader's answer is returned and a warning logged, never an error.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any, TypeVar, cast

import structlog
from pydantic import TypeAdapter, ValidationError
from pydantic_settings import SettingsConfigDict
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from sift.core.config import CoreSettings, SiftSettings

log = structlog.get_logger()

T = TypeVar("T")

_NAMESPACE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
# Outlives any load, so a load that straddles an invalidation always sees the change.
GENERATION_TTL_SECONDS = 3600
_REDIS_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)

# Store only if neither the key nor its namespace was invalidated since the load began
# (a value under an old namespace version would be ignored anyway, but must not
# overwrite a fresh one).
_STORE_IF_UNCHANGED = """
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[3], ARGV[1] .. '\\n' .. ARGV[3], 'PX', ARGV[4])
return 1
"""


class CacheSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_CACHE_")

    enabled: bool = True
    # A slow Redis costs a request at most this per cache call, then the loader answers.
    operation_timeout: float = 0.25
    # The longest one process may hold a key's load lock (its loader's worst case).
    lock_timeout: float = 10.0
    # How long a miss waits for another process's load before loading on its own.
    lock_wait: float = 2.0
    lock_poll: float = 0.02


@lru_cache
def cache_settings() -> CacheSettings:
    """From the environment, read once: Cache objects are cheap and made per use."""
    return CacheSettings()


# Building a TypeAdapter compiles a validator: do it once per type (a program has few).
_adapters: dict[object, TypeAdapter[Any]] = {}


def _adapter(model: type[T] | TypeAdapter[T]) -> TypeAdapter[T]:
    if isinstance(model, TypeAdapter):
        return model
    adapter = _adapters.get(model)
    if adapter is None:
        adapter = _adapters[model] = TypeAdapter(model)
    return cast(TypeAdapter[T], adapter)


@dataclass(frozen=True)
class _Keys:
    version: str
    generation: str
    value: str
    lock: str


@dataclass(frozen=True)
class _Snapshot:
    version: bytes
    generation: bytes
    payload: bytes | None  # the cached JSON, when current


class _Miss:
    pass


_MISS = _Miss()


def _failure(exc: BaseException) -> dict[str, str]:
    return {"error_type": type(exc).__name__, "error": str(exc)}


def _as_bytes(value: bytes | str | None) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


class _LeaderGone(Exception):
    """The load that others waited for was cancelled; one of them loads instead."""


# key -> the load in progress in this process; shared by every Cache over the same prefix.
_inflight: dict[str, asyncio.Future[bytes]] = {}


class Cache:
    """One namespace of cached values (e.g. "collections") in the app's Redis."""

    def __init__(
        self,
        redis: Redis,
        namespace: str,
        settings: CoreSettings,
        *,
        config: CacheSettings | None = None,
    ) -> None:
        if not _NAMESPACE.match(namespace):
            raise ValueError(f"invalid cache namespace {namespace!r}")
        self.redis = redis
        self.namespace = namespace
        self.settings = settings
        self.config = config or cache_settings()
        self._store = redis.register_script(_STORE_IF_UNCHANGED)

    def _keys(self, key: str) -> _Keys:
        part = self.settings.redis_key
        return _Keys(
            version=part("cache", self.namespace, "version"),
            generation=part("cache", self.namespace, "g", key),
            value=part("cache", self.namespace, "v", key),
            lock=part("cache", self.namespace, "l", key),
        )

    async def get_or_load(
        self,
        key: str,
        loader: Callable[[], Awaitable[T]],
        *,
        ttl: float | timedelta,
        model: type[T] | TypeAdapter[T],
    ) -> T:
        """The cached value of `key`, or the loader's (then cached for `ttl`)."""
        ttl_ms = int((ttl.total_seconds() if isinstance(ttl, timedelta) else ttl) * 1000)
        if ttl_ms <= 0:
            raise ValueError("ttl must be positive")
        adapter = _adapter(model)
        if not self.config.enabled:
            return await loader()
        keys = self._keys(key)
        snapshot = await self._read(keys)
        # Redis down or slow: still one load per key in this process (no stampede on
        # the database while the cache is out), just nothing stored.
        if snapshot is not None and snapshot.payload is not None:
            cached = self._decode(adapter, snapshot.payload)
            if not isinstance(cached, _Miss):
                log.debug("cache.hit", namespace=self.namespace)
                return cached
        log.debug("cache.miss", namespace=self.namespace)

        while (flight := _inflight.get(keys.value)) is not None:
            if flight.get_loop() is not asyncio.get_running_loop():
                break
            try:
                payload = await asyncio.shield(flight)
            except _LeaderGone:
                continue
            return adapter.validate_json(payload)

        flight = asyncio.get_running_loop().create_future()
        _inflight[keys.value] = flight
        try:
            value, payload = await self._load(keys, snapshot, loader, adapter, ttl_ms)
        except Exception as exc:
            flight.set_exception(exc)  # the waiters share the loader's failure
            raise
        except BaseException:
            flight.set_exception(_LeaderGone())
            raise
        else:
            flight.set_result(payload)
            return value
        finally:
            if flight.done() and not flight.cancelled():
                flight.exception()  # marks it retrieved: no warning when nobody waited
            if _inflight.get(keys.value) is flight:
                del _inflight[keys.value]

    async def _load(
        self,
        keys: _Keys,
        snapshot: _Snapshot | None,
        loader: Callable[[], Awaitable[T]],
        adapter: TypeAdapter[T],
        ttl_ms: int,
    ) -> tuple[T, bytes]:
        if snapshot is None:
            value = await loader()
            return value, adapter.dump_json(value)
        lock = self.redis.lock(
            keys.lock,
            timeout=self.config.lock_timeout,
            sleep=self.config.lock_poll,
            blocking_timeout=self.config.lock_wait,
        )
        acquired = False
        try:
            async with asyncio.timeout(self.config.lock_wait + self.config.operation_timeout):
                acquired = await lock.acquire()
        except _REDIS_FAILURES as exc:
            log.warning("cache.lock_failed", namespace=self.namespace, **_failure(exc))
        else:
            if not acquired:
                log.info("cache.lock_wait_exceeded", namespace=self.namespace)
        try:
            if acquired:
                # Whoever held the lock has probably just stored the value.
                fresh = await self._read(keys)
                if fresh is not None:
                    snapshot = fresh
                    if fresh.payload is not None:
                        cached = self._decode(adapter, fresh.payload)
                        if not isinstance(cached, _Miss):
                            return cached, fresh.payload
            value = await loader()
            payload = adapter.dump_json(value)
            await self._write(keys, snapshot, payload, ttl_ms)
            return value, payload
        finally:
            if acquired:
                await self._release(lock)

    async def _release(self, lock: Lock) -> None:
        try:
            async with asyncio.timeout(self.config.operation_timeout):
                await lock.release()
        except LockError:
            log.warning("cache.lock_expired_during_load", namespace=self.namespace)
        except _REDIS_FAILURES as exc:
            log.warning("cache.unavailable", namespace=self.namespace, **_failure(exc))

    async def _read(self, keys: _Keys) -> _Snapshot | None:
        try:
            async with asyncio.timeout(self.config.operation_timeout):
                values = await self.redis.mget(keys.version, keys.generation, keys.value)
        except _REDIS_FAILURES as exc:
            log.warning("cache.unavailable", namespace=self.namespace, **_failure(exc))
            return None
        version, generation, stored = (_as_bytes(value) for value in values)
        version = version or b"0"
        payload: bytes | None = None
        if stored is not None:
            stored_version, _, body = stored.partition(b"\n")
            # A value written under an older namespace version was invalidated with it.
            payload = body if stored_version == version else None
        return _Snapshot(version=version, generation=generation or b"0", payload=payload)

    def _decode(self, adapter: TypeAdapter[T], payload: bytes) -> T | _Miss:
        try:
            return adapter.validate_json(payload)
        except ValidationError:
            # Written by an older schema (a deploy changed the model): load afresh.
            log.warning("cache.undecodable", namespace=self.namespace)
            return _MISS

    async def _write(self, keys: _Keys, snapshot: _Snapshot, payload: bytes, ttl_ms: int) -> None:
        try:
            async with asyncio.timeout(self.config.operation_timeout):
                stored = await self._store(
                    keys=[keys.version, keys.generation, keys.value],
                    args=[snapshot.version, snapshot.generation, payload, ttl_ms],
                )
        except _REDIS_FAILURES as exc:
            log.warning("cache.unavailable", namespace=self.namespace, **_failure(exc))
            return
        if not stored:
            log.info("cache.store_skipped_after_invalidation", namespace=self.namespace)

    async def invalidate(self, *keys: str) -> None:
        """Forgets `keys`; a load in progress for one of them will not store its value.

        Failures are logged, not raised: the write they follow has committed, and the
        values' TTL bounds how long a missed invalidation can serve stale data.
        """
        if not keys:
            return
        try:
            async with asyncio.timeout(self.config.operation_timeout):
                async with self.redis.pipeline(transaction=True) as pipe:
                    for key in keys:
                        names = self._keys(key)
                        pipe.delete(names.value)
                        pipe.incr(names.generation)
                        pipe.expire(names.generation, GENERATION_TTL_SECONDS)
                    await pipe.execute()
        except _REDIS_FAILURES as exc:
            log.error("cache.invalidate_failed", namespace=self.namespace, **_failure(exc))

    async def invalidate_namespace(self) -> None:
        """Forgets every value of the namespace at once (O(1): the version moves on)."""
        try:
            async with asyncio.timeout(self.config.operation_timeout):
                await self.redis.incr(self.settings.redis_key("cache", self.namespace, "version"))
        except _REDIS_FAILURES as exc:
            log.error("cache.invalidate_failed", namespace=self.namespace, **_failure(exc))
