"""Read-through cache: real Redis, real concurrency, real failures of Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter
from redis.asyncio import Redis
from structlog.testing import capture_logs

from sift.core.cache import Cache, CacheSettings
from sift.core.config import CoreSettings


class Item(BaseModel):
    id: int
    name: str


class Loader:
    """A loader that counts its calls and can be made slow or failing."""

    def __init__(self, value: Item | None = None, *, delay: float = 0.0) -> None:
        self.value = value or Item(id=1, name="one")
        self.delay = delay
        self.calls = 0
        self.error: Exception | None = None

    async def __call__(self) -> Item:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.value


class CountingRedis(Redis):
    """Counts the commands this client sends (the server's own count includes everyone's)."""

    commands = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.commands += 1
        return await super().execute_command(*args, **options)


@pytest.fixture
def cache(redis: Redis, settings: CoreSettings) -> Cache:
    # Generous: on a loaded CI machine a 0.25 s Redis call can time out, and these tests
    # are about the cache's logic (the timeout has its own test below).
    return Cache(redis, "items", settings, config=CacheSettings(operation_timeout=5.0))


async def test_miss_loads_then_hits(cache: Cache, redis: Redis, settings: CoreSettings) -> None:
    loader = Loader()
    first = await cache.get_or_load("1", loader, ttl=60, model=Item)
    second = await cache.get_or_load("1", loader, ttl=60, model=Item)
    assert first == second == Item(id=1, name="one")
    assert loader.calls == 1
    stored = await redis.get(settings.redis_key("cache", "items", "v", "1"))
    assert isinstance(stored, bytes) and stored.endswith(b'{"id":1,"name":"one"}')
    ttl_ms = await redis.pttl(settings.redis_key("cache", "items", "v", "1"))
    assert 55_000 < ttl_ms <= 60_000


async def test_generic_types_adapters_and_none(cache: Cache) -> None:
    items = [Item(id=1, name="a"), Item(id=2, name="b")]

    async def load_items() -> list[Item]:
        return items

    assert await cache.get_or_load("list", load_items, ttl=60, model=list[Item]) == items
    assert await cache.get_or_load("list", load_items, ttl=60, model=list[Item]) == items

    calls = 0

    async def load_nothing() -> Item | None:
        nonlocal calls
        calls += 1
        return None

    adapter: TypeAdapter[Item | None] = TypeAdapter(Item | None)
    assert await cache.get_or_load("none", load_nothing, ttl=60, model=adapter) is None
    assert await cache.get_or_load("none", load_nothing, ttl=60, model=adapter) is None
    assert calls == 1  # "no such item" is cached too


async def test_values_expire_after_ttl(cache: Cache) -> None:
    loader = Loader()
    await cache.get_or_load("1", loader, ttl=0.2, model=Item)
    await asyncio.sleep(0.3)
    await cache.get_or_load("1", loader, ttl=0.2, model=Item)
    assert loader.calls == 2


async def test_invalidate_forgets_only_that_key(cache: Cache) -> None:
    one, two = Loader(), Loader(Item(id=2, name="two"))
    await cache.get_or_load("1", one, ttl=60, model=Item)
    await cache.get_or_load("2", two, ttl=60, model=Item)
    one.value = Item(id=1, name="renamed")
    await cache.invalidate("1")
    assert await cache.get_or_load("1", one, ttl=60, model=Item) == Item(id=1, name="renamed")
    await cache.get_or_load("2", two, ttl=60, model=Item)
    assert (one.calls, two.calls) == (2, 1)
    await cache.invalidate()  # nothing to do


async def test_invalidate_namespace_is_one_increment(
    cache: Cache, redis: Redis, settings: CoreSettings
) -> None:
    other = Cache(redis, "others", settings)
    loaders = {key: Loader() for key in "abc"}
    other_loader = Loader()
    for key, loader in loaders.items():
        await cache.get_or_load(key, loader, ttl=60, model=Item)
    await other.get_or_load("a", other_loader, ttl=60, model=Item)

    counting = CountingRedis.from_url(settings.redis_url)
    try:
        await Cache(counting, "items", settings).invalidate_namespace()
    finally:
        await counting.aclose()
    # O(1): one command however many values the namespace holds.
    assert counting.commands == 1

    for key, loader in loaders.items():
        await cache.get_or_load(key, loader, ttl=60, model=Item)
        assert loader.calls == 2
    await other.get_or_load("a", other_loader, ttl=60, model=Item)
    assert other_loader.calls == 1  # another namespace keeps its values


@pytest.mark.parametrize("how", ["key", "namespace"])
async def test_a_load_racing_an_invalidation_is_not_stored(cache: Cache, how: str) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    loaded_old = Item(id=1, name="old")

    async def slow_old_read() -> Item:
        started.set()
        await release.wait()
        return loaded_old  # read before the write committed

    pending = asyncio.create_task(cache.get_or_load("1", slow_old_read, ttl=60, model=Item))
    await started.wait()
    if how == "key":
        await cache.invalidate("1")  # the write commits and invalidates meanwhile
    else:
        await cache.invalidate_namespace()
    release.set()
    assert await pending == loaded_old  # the caller still gets its answer

    fresh = Loader(Item(id=1, name="new"))
    assert await cache.get_or_load("1", fresh, ttl=60, model=Item) == Item(id=1, name="new")
    assert fresh.calls == 1  # the stale value was not cached


async def test_concurrent_misses_load_once_in_process(cache: Cache) -> None:
    loader = Loader(delay=0.1)
    results = await asyncio.gather(
        *(cache.get_or_load("hot", loader, ttl=60, model=Item) for _ in range(50))
    )
    assert loader.calls == 1
    assert all(result == loader.value for result in results)
    assert len({id(result) for result in results}) > 1  # waiters get their own copies


async def test_waiters_share_the_loaders_failure_and_nothing_is_cached(cache: Cache) -> None:
    loader = Loader(delay=0.05)
    loader.error = LookupError("database said no")
    results = await asyncio.gather(
        *(cache.get_or_load("k", loader, ttl=60, model=Item) for _ in range(5)),
        return_exceptions=True,
    )
    assert loader.calls == 1
    assert all(isinstance(result, LookupError) for result in results)
    loader.error = None
    assert await cache.get_or_load("k", loader, ttl=60, model=Item) == loader.value
    assert loader.calls == 2


async def test_a_cancelled_leader_hands_over_to_a_waiter(cache: Cache) -> None:
    loader = Loader(delay=0.2)
    leader = asyncio.create_task(cache.get_or_load("k", loader, ttl=60, model=Item))
    await asyncio.sleep(0.05)
    waiter = asyncio.create_task(cache.get_or_load("k", loader, ttl=60, model=Item))
    await asyncio.sleep(0.05)
    leader.cancel()
    assert await waiter == loader.value
    assert loader.calls == 2
    with pytest.raises(asyncio.CancelledError):
        await leader


OTHER_PROCESS = textwrap.dedent("""
    import asyncio, sys
    from redis.asyncio import Redis
    from sift.core.cache import Cache
    from sift.core.config import CoreSettings

    async def main() -> None:
        settings = CoreSettings(redis_url=sys.argv[1], redis_prefix=sys.argv[2])
        redis = Redis.from_url(settings.redis_url)

        async def slow_load() -> dict[str, str]:
            await redis.incr(settings.redis_key("loads"))
            await asyncio.sleep(1.0)
            return {"loaded_by": "other process"}

        cache = Cache(redis, "shared", settings)
        print(await cache.get_or_load("k", slow_load, ttl=60, model=dict[str, str]))
        await redis.aclose()

    asyncio.run(main())
    """)


async def test_concurrent_misses_load_once_across_processes(
    redis: Redis, settings: CoreSettings
) -> None:
    src = str(Path(__file__).resolve().parents[2] / "src")
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, settings.redis_url, settings.redis_prefix],
        env={**os.environ, "PYTHONPATH": src},
        stdout=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while await redis.get(settings.redis_key("loads")) is None:  # it is loading now
            assert time.monotonic() < deadline, "the other process never started loading"
            await asyncio.sleep(0.02)

        async def our_load() -> dict[str, str]:
            await redis.incr(settings.redis_key("loads"))
            return {"loaded_by": "this process"}

        cache = Cache(redis, "shared", settings)
        value = await cache.get_or_load("k", our_load, ttl=60, model=dict[str, str])
    finally:
        out, _ = await asyncio.to_thread(other.communicate, timeout=20)
    assert value == {"loaded_by": "other process"}  # waited for it instead of loading
    assert await redis.get(settings.redis_key("loads")) == b"1"
    assert b"other process" in out


async def test_a_stuck_lock_holder_delays_a_miss_only_up_to_lock_wait(
    redis: Redis, settings: CoreSettings
) -> None:
    cache = Cache(redis, "items", settings, config=CacheSettings(lock_wait=0.2))
    holder = redis.lock(settings.redis_key("cache", "items", "l", "k"), timeout=5)
    assert await holder.acquire(blocking=False)
    loader = Loader()
    started = time.perf_counter()
    with capture_logs() as logs:
        assert await cache.get_or_load("k", loader, ttl=60, model=Item) == loader.value
    assert 0.15 <= time.perf_counter() - started < 1.0  # redis-py polls in 20 ms steps
    assert loader.calls == 1
    assert any(entry["event"] == "cache.lock_wait_exceeded" for entry in logs)
    await holder.release()


async def test_a_load_outliving_its_lock_still_answers(
    redis: Redis, settings: CoreSettings
) -> None:
    cache = Cache(redis, "items", settings, config=CacheSettings(lock_timeout=0.1))
    loader = Loader(delay=0.3)
    with capture_logs() as logs:
        assert await cache.get_or_load("k", loader, ttl=60, model=Item) == loader.value
    assert any(entry["event"] == "cache.lock_expired_during_load" for entry in logs)


async def test_redis_down_falls_back_to_the_loader(settings: CoreSettings) -> None:
    down = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    cache = Cache(down, "items", settings)
    loader = Loader()
    with capture_logs() as logs:
        assert await cache.get_or_load("1", loader, ttl=60, model=Item) == loader.value
        assert await cache.get_or_load("1", loader, ttl=60, model=Item) == loader.value
        await cache.invalidate("1")
        await cache.invalidate_namespace()
    assert loader.calls == 2
    events = [entry["event"] for entry in logs]
    assert "cache.unavailable" in events
    assert events.count("cache.invalidate_failed") == 2
    await down.aclose()


async def test_redis_down_concurrent_misses_still_load_once(settings: CoreSettings) -> None:
    down = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    cache = Cache(down, "items", settings)
    loader = Loader(delay=1.0)  # outlasts every caller's failed Redis read
    results = await asyncio.gather(
        *(cache.get_or_load("hot", loader, ttl=60, model=Item) for _ in range(20))
    )
    assert loader.calls == 1  # no stampede on the database while the cache is out
    assert all(result == loader.value for result in results)
    await down.aclose()


async def test_a_hung_redis_costs_at_most_the_operation_timeout(
    silent_server: str, settings: CoreSettings
) -> None:
    hung = Redis.from_url(silent_server)
    cache = Cache(hung, "items", settings, config=CacheSettings(operation_timeout=0.1))
    loader = Loader()
    started = time.perf_counter()
    assert await cache.get_or_load("1", loader, ttl=60, model=Item) == loader.value
    assert time.perf_counter() - started < 1.0
    await hung.aclose()


async def test_a_value_of_an_old_schema_is_reloaded(cache: Cache) -> None:
    class OldItem(BaseModel):
        id: int

    async def old() -> OldItem:
        return OldItem(id=1)

    await cache.get_or_load("1", old, ttl=60, model=OldItem)
    loader = Loader()
    with capture_logs() as logs:
        assert await cache.get_or_load("1", loader, ttl=60, model=Item) == loader.value
    assert loader.calls == 1
    assert any(entry["event"] == "cache.undecodable" for entry in logs)
    assert await cache.get_or_load("1", loader, ttl=60, model=Item) == loader.value
    assert loader.calls == 1  # the new value replaced the old one


async def test_disabled_cache_always_loads(redis: Redis, settings: CoreSettings) -> None:
    cache = Cache(redis, "items", settings, config=CacheSettings(enabled=False))
    loader = Loader()
    await cache.get_or_load("1", loader, ttl=60, model=Item)
    await cache.get_or_load("1", loader, ttl=60, model=Item)
    assert loader.calls == 2


async def test_bad_arguments(cache: Cache, redis: Redis, settings: CoreSettings) -> None:
    with pytest.raises(ValueError, match="namespace"):
        Cache(redis, "has:colon", settings)
    with pytest.raises(ValueError, match="ttl"):
        await cache.get_or_load("1", Loader(), ttl=0, model=Item)


RestrictedRedis = Callable[..., Awaitable[Redis]]


@pytest.fixture
async def restricted_redis(redis: Redis, settings: CoreSettings) -> AsyncIterator[RestrictedRedis]:
    """Clients of a Redis user refused some commands: Redis failing mid-way, for real."""
    users: list[str] = []
    clients: list[Redis] = []

    async def factory(*denied: str) -> Redis:
        user = f"sift-test-{uuid.uuid4().hex[:12]}"
        await redis.acl_setuser(
            user,
            enabled=True,
            passwords=["+secret"],
            keys=[f"{settings.redis_prefix}*"],
            categories=["+@all"],
            commands=[f"-{command}" for command in denied],
        )
        users.append(user)
        options = redis.connection_pool.connection_kwargs
        client = Redis(
            host=options["host"],
            port=options["port"],
            db=options.get("db", 0),
            username=user,
            password="secret",
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()
    for user in users:
        await redis.acl_deluser(user)


async def test_redis_refusing_the_store_still_answers(
    restricted_redis: RestrictedRedis, settings: CoreSettings
) -> None:
    client = await restricted_redis("eval", "evalsha")  # storing and lock release use Lua
    cache = Cache(client, "items", settings, config=CacheSettings(lock_wait=0.1))
    loader = Loader()
    with capture_logs() as logs:
        assert await cache.get_or_load("1", loader, ttl=60, model=Item) == loader.value
        assert await cache.get_or_load("1", loader, ttl=60, model=Item) == loader.value
    assert loader.calls == 2  # nothing could be stored
    events = [(e["event"], e.get("error_type")) for e in logs if e["log_level"] != "debug"]
    assert events == [
        ("cache.unavailable", "NoPermissionError"),  # store
        ("cache.unavailable", "NoPermissionError"),  # lock release: the lock stays...
        ("cache.lock_wait_exceeded", None),  # ...so the next miss waits only lock_wait
        ("cache.unavailable", "NoPermissionError"),
    ]


async def test_redis_refusing_writes_still_loads(
    restricted_redis: RestrictedRedis, settings: CoreSettings
) -> None:
    client = await restricted_redis("set")  # the lock and the store (SET inside Lua too)
    cache = Cache(client, "items", settings)
    loader = Loader()
    with capture_logs() as logs:
        assert await cache.get_or_load("1", loader, ttl=60, model=Item) == loader.value
    events = [entry["event"] for entry in logs]
    assert "cache.lock_failed" in events
    assert "cache.unavailable" in events
