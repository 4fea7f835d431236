"""Sliding-window rate limits in Redis, declared on endpoints as FastAPI dependencies.

    LoginLimit = Annotated[None, Depends(RateLimit("auth.login", "5/minute;100/hour"))]

    @router.post("/login", responses=RateLimited.openapi())
    async def login(_: LoginLimit, body: LoginBody) -> ...

Counting uses the moving-window strategy of the `limits` library (every hit is a
timestamp in a Redis list), so a burst at the edge of a fixed window cannot double the
allowance. A refused request raises `RateLimited` (429 problem+json with `Retry-After`).
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from pydantic import IPvAnyNetwork
from pydantic_settings import SettingsConfigDict
from redis.asyncio import Redis

from sift.core.config import CoreSettings, SiftSettings
from sift.core.errors import RateLimited, ServiceUnavailable

log = structlog.get_logger()

KeyFunc = Callable[[Request], str | Awaitable[str]]
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Clients rotate freely inside their IPv6 /64; counting per address would not limit them.
IPV6_CLIENT_PREFIX = 64


class RateLimitSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_RATELIMIT_")

    enabled: bool = True
    # Peers (the Nginx gateway, a load balancer) whose X-Forwarded-For / X-Real-IP are
    # believed, as a JSON list of addresses or CIDRs. Empty: forwarding headers are ignored.
    trusted_proxies: list[IPvAnyNetwork] = []
    # When Redis fails or takes longer than `timeout` seconds: let requests through
    # (True) or answer 503 (False).
    fail_open: bool = True
    timeout: float = 0.5


def _parse_ip(value: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _is_trusted(address: IpAddress, trusted: Sequence[IpNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def client_ip(request: Request, trusted_proxies: Sequence[IpNetwork]) -> str:
    """The address of the client, believing forwarding headers only from trusted proxies.

    X-Forwarded-For is read right to left: each trusted proxy appended the address it saw,
    so the first untrusted hop is the client; anything left of it is client-supplied.
    """
    peer = _parse_ip(request.client.host) if request.client else None
    if peer is None:
        return "unknown"
    if not _is_trusted(peer, trusted_proxies):
        return str(peer)
    hops = [
        hop
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    client = peer
    for hop in reversed(hops):
        address = _parse_ip(hop)
        if address is None:
            break  # a trusted proxy never writes garbage: stop at the last good hop
        client = address
        if not _is_trusted(address, trusted_proxies):
            return str(address)
    if not hops and (real_ip := _parse_ip(request.headers.get("x-real-ip", ""))) is not None:
        client = real_ip
    return str(client)


def _client_bucket(address: str) -> str:
    parsed = _parse_ip(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"ip:{parsed.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False)}"
    return f"ip:{address}"


def by_ip(request: Request) -> str:
    """Key: the client's address (its /64 for IPv6)."""
    config = RateLimiting.of(request.app).config
    return _client_bucket(client_ip(request, config.trusted_proxies))


def by_principal(request: Request) -> str:
    """Key: the authenticated principal (`request.state.principal.id`), else the client's IP.

    Declare the limit after the principal dependency so that it has run.
    """
    principal = getattr(request.state, "principal", None)
    principal_id = getattr(principal, "id", None)
    if principal_id is None:
        return by_ip(request)
    return f"principal:{principal_id}"


def by_organization(request: Request) -> str:
    """Key: the principal's current organization. Declare the limit after the principal."""
    principal = getattr(request.state, "principal", None)
    return f"org:{getattr(principal, 'org_id', 'unknown')}"


class RateLimiting:
    """The limiter of one app: a `limits` storage sharing the app's Redis connection pool."""

    def __init__(
        self, redis: Redis, settings: CoreSettings, config: RateLimitSettings | None = None
    ) -> None:
        self.config = config or RateLimitSettings()
        # The URI only names the driver; connections come from the app's own pool.
        self.storage = RedisStorage(
            "async+redis://",
            implementation="redispy",
            key_prefix=settings.redis_key("ratelimit"),
            wrap_exceptions=True,
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]  # typed too narrowly
        )
        self.limiter = MovingWindowRateLimiter(self.storage)

    @classmethod
    def install(cls, app: FastAPI, config: RateLimitSettings | None = None) -> RateLimiting:
        """Creates the app's limiter (once its Redis exists) and keeps it on `app.state`."""
        limiting = cls(app.state.redis, app.state.settings, config)
        app.state.rate_limiting = limiting
        return limiting

    @classmethod
    def of(cls, app: FastAPI) -> RateLimiting:
        limiting: RateLimiting | None = getattr(app.state, "rate_limiting", None)
        return limiting if limiting is not None else cls.install(app)

    async def hit(self, name: str, identity: str, items: Sequence[RateLimitItem]) -> int | None:
        """Counts one request; None when allowed, else the seconds until every limit has room.

        Each limit is atomic in Redis, so none is ever exceeded. Across limits, a request
        that loses a race for the last slot of a later limit keeps what it took in the
        earlier ones; otherwise a refused request costs nothing.
        """
        if len(items) == 1:
            blocked = [] if await self.limiter.hit(items[0], name, identity) else list(items)
        else:
            # Test all first so that a request refused by one limit uses no room in the others.
            blocked = [item for item in items if not await self.limiter.test(item, name, identity)]
            if not blocked:
                for item in items:
                    if not await self.limiter.hit(item, name, identity):
                        blocked.append(item)  # lost a race for the last slot
                        break
        if not blocked:
            return None
        return max([await self._seconds_until_room(item, name, identity) for item in blocked])

    async def _seconds_until_room(self, item: RateLimitItem, name: str, identity: str) -> int:
        stats = await self.limiter.get_window_stats(item, name, identity)
        # The oldest hit in the window leaves it at reset_time; round up, never answer 0.
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def clear(self, name: str, identity: str, items: Sequence[RateLimitItem]) -> None:
        for item in items:
            await self.limiter.clear(item, name, identity)


class RateLimit:
    """A FastAPI dependency that counts the request against `limits` for the caller's key.

    `limits` is one or more of the `limits` library's strings: "5/minute;100/hour".
    `key` maps the request to the counted identity: `by_ip`, `by_principal` or any
    callable (sync or async) of the request.
    """

    def __init__(self, name: str, limits: str, *, key: KeyFunc = by_ip) -> None:
        self.name = name
        self.items: list[RateLimitItem] = parse_many(limits)
        self.key = key
        self.description = limits

    async def __call__(self, request: Request) -> None:
        limiting = RateLimiting.of(request.app)
        if not limiting.config.enabled:
            return
        identity = await _resolve(self.key(request))
        try:
            async with asyncio.timeout(limiting.config.timeout):
                retry_after = await limiting.hit(self.name, identity, self.items)
        except (StorageError, TimeoutError) as exc:
            error = exc.storage_error if isinstance(exc, StorageError) else exc
            if limiting.config.fail_open:
                log.warning(
                    "ratelimit.unavailable",
                    limit=self.name,
                    error_type=type(error).__name__,
                    error=str(error),
                )
                return
            raise ServiceUnavailable("Rate limiting is unavailable; try again shortly.") from exc
        if retry_after is not None:
            log.info("ratelimit.exceeded", limit=self.name, rule=self.description)
            raise RateLimited(retry_after=retry_after)

    async def reset(self, request: Request) -> None:
        """Forgets the caller's hits (e.g. after a successful login)."""
        limiting = RateLimiting.of(request.app)
        await limiting.clear(self.name, await _resolve(self.key(request)), self.items)


class ConfiguredLimit:
    """A `RateLimit` whose rule is a setting, read per request from the app's settings.

    `settings_of(request)` returns the settings object (each app has its own, so that
    tests and deployments can change a rule); `setting` names the attribute holding the
    rule. One `RateLimit` is kept per rule seen.
    """

    def __init__(
        self,
        name: str,
        setting: str,
        *,
        settings_of: Callable[[Request], object],
        key: KeyFunc = by_ip,
    ) -> None:
        self.name = name
        self.setting = setting
        self.settings_of = settings_of
        self.key = key
        self._limits: dict[str, RateLimit] = {}

    async def __call__(self, request: Request) -> None:
        rule: str = getattr(self.settings_of(request), self.setting)
        limit = self._limits.get(rule)
        if limit is None:
            limit = self._limits[rule] = RateLimit(self.name, rule, key=self.key)
        await limit(request)


async def _resolve(value: str | Awaitable[str]) -> str:
    if inspect.isawaitable(value):
        result: Any = await value
        return str(result)
    return value
