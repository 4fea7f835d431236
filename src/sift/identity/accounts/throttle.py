"""Sign-in throttling that an attacker cannot turn against the owner (OWASP device cookies).

An attempt that presents a valid device cookie of the account it tries (see `devices`) is
*trusted*: only that device's own failures count against it, per device, so a flood of
wrong passwords from elsewhere never locks the owner's browsers out; a stolen laptop is
still limited, per device. Every other attempt is *untrusted* and counted per address as
typed (pseudonymized, whether or not an account has it, so locking reveals nothing) and
per source network.

Only wrong passwords count: per subject (a device, or an address for untrusted attempts)
`lockout_threshold` of them in a row lock it for `lockout_base_seconds`, doubling with
each further lockout within `lockout_memory_hours` up to `lockout_max_seconds`, and a
sliding-window budget (`login_limit_per_device`, `login_limit_per_account`) bounds how
many fit in its window. Untrusted failures also spend the source's budget
(`login_limit_per_ip`). A successful sign-in forgets its subject's run of failures (a
device's budget too); a password reset lifts the address's lock and budget.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from sift.contracts.events.identity import LockoutScope
from sift.core.ratelimit import RateLimiting
from sift.identity.hashing import pseudonym
from sift.identity.web import IdentityContext

log = structlog.get_logger()
# Without Redis, sign-in goes on unthrottled (like `RateLimitSettings.fail_open`): the
# gateway's per-IP limit still stands, and nobody is locked out by an outage.
_UNAVAILABLE = (RedisError, StorageError, OSError, TimeoutError)
_SOURCE_BUDGET = "identity.login.source"


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the address typed, where it comes from, the device if trusted."""

    address: str  # pseudonym of the address typed
    source: str  # the client's network, as the rate limits key it
    device: str | None = None  # nonce of a valid device cookie of the account tried

    @property
    def scope(self) -> LockoutScope:
        return LockoutScope.unknown_devices if self.device is None else LockoutScope.device


@dataclass(frozen=True)
class Refusal:
    seconds: int
    locked: bool  # the address's or device's lock or budget; else the source's budget


@dataclass(frozen=True)
class Lockout:
    seconds: int
    failed_attempts: int
    scope: LockoutScope


class LoginThrottle:
    def __init__(
        self, redis: Redis, limiting: RateLimiting, context: IdentityContext, source: str
    ) -> None:
        self.redis = redis
        self.limiting = limiting
        self.context = context
        self.source = source
        config = context.config
        self.source_limit = parse_many(config.login_limit_per_ip)
        self.account_limit = parse_many(config.login_limit_per_account)
        self.device_limit = parse_many(config.login_limit_per_device)
        self.reset_mail_limit = parse_many(config.forgot_limit_per_account)

    def attempt(self, email: str, device: str | None = None) -> Attempt:
        return Attempt(pseudonym(self.context.settings, email), self.source, device)

    def _subject(self, attempt: Attempt) -> tuple[str, str, list[RateLimitItem]]:
        """The key, budget name and budget of what the attempt's failures count against."""
        if attempt.device is not None:
            return f"device:{attempt.device}", "identity.login.device", self.device_limit
        return attempt.address, "identity.login.account", self.account_limit

    def _keys(self, subject: str) -> tuple[str, str, str]:
        key = self.context.settings.redis_key
        return (
            key("identity", "login", "failures", subject),
            key("identity", "login", "lock", subject),
            key("identity", "login", "lockouts", subject),
        )

    async def refusal(self, attempt: Attempt) -> Refusal | None:
        """Why this attempt may not even be tried now, or None. Looking costs no budget."""
        subject, budget, limit = self._subject(attempt)
        try:
            if attempt.device is None:
                waiting = await self._wait(
                    "identity.login.source", attempt.source, self.source_limit
                )
                if waiting is not None:
                    return Refusal(waiting, locked=False)
            remaining_ms = await self.redis.pttl(self._keys(subject)[1])
            if remaining_ms > 0:
                return Refusal(max(1, -(-remaining_ms // 1000)), locked=True)
            waiting = await self._wait(budget, subject, limit)
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)
            return None
        return None if waiting is None else Refusal(waiting, locked=True)

    async def _wait(self, name: str, key: str, items: Sequence[RateLimitItem]) -> int | None:
        """Seconds until the budget has room again; None while it has room."""
        waits = []
        for item in items:
            stats = await self.limiting.limiter.get_window_stats(item, name, key)
            if stats.remaining <= 0:
                waits.append(max(1, math.ceil(stats.reset_time - time.time())))
        return max(waits, default=None)

    async def reset_mail_allowed(self, email: str) -> bool:
        """Whether another reset e-mail may go to this address now (silently limited)."""
        try:
            limited = await self.limiting.hit(
                "identity.forgot.account", self.attempt(email).address, self.reset_mail_limit
            )
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)
            return True
        return limited is None

    async def failed(self, attempt: Attempt) -> Lockout | None:
        """Counts a wrong password; returns the lockout it started, if it started one."""
        try:
            return await self._count_failure(attempt)
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)
            return None

    async def _count_failure(self, attempt: Attempt) -> Lockout | None:
        subject, budget, limit = self._subject(attempt)
        await self.limiting.hit(budget, subject, limit)
        if attempt.device is None:
            await self.limiting.hit(_SOURCE_BUDGET, attempt.source, self.source_limit)
        failures, lock, lockouts = self._keys(subject)
        config = self.context.config
        memory_seconds = config.lockout_memory_hours * 3600
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(failures)
            pipe.expire(failures, memory_seconds)
            count = int((await pipe.execute())[0])
        if count < config.lockout_threshold:
            return None
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(lockouts)
            pipe.expire(lockouts, memory_seconds)
            pipe.delete(failures)
            previous = int((await pipe.execute())[0]) - 1
        seconds = min(
            config.lockout_base_seconds * 2 ** min(previous, 20), config.lockout_max_seconds
        )
        # Only the failure that sets the lock starts a lockout: one alert per window.
        if not await self.redis.set(lock, seconds, ex=seconds, nx=True):
            return None
        return Lockout(seconds=seconds, failed_attempts=count, scope=attempt.scope)

    async def succeeded(self, attempt: Attempt) -> None:
        """Forgets the run of failures; a device's budget too (they were the owner's typos)."""
        subject, budget, limit = self._subject(attempt)
        try:
            await self.redis.delete(self._keys(subject)[0])
            if attempt.device is not None:
                await self.limiting.clear(budget, subject, limit)
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)

    async def lift(self, email: str) -> None:
        """Forgets the address's failures, lockouts and budget (a reset proved the mailbox)."""
        subject, budget, limit = self._subject(self.attempt(email))
        try:
            await self.redis.delete(*self._keys(subject))
            await self.limiting.clear(budget, subject, limit)
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)
