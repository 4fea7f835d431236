"""Sign-in throttling: a per-account budget and a progressive, bounded lockout.

Counters are kept per e-mail address as typed (pseudonymized), whether or not an account
has it, so that locking behaves the same for unknown addresses: no enumeration. After
`lockout_threshold` wrong passwords in a row sign-in is locked for `lockout_base_seconds`,
doubling with each further lockout within `lockout_memory_hours`, never beyond
`lockout_max_seconds`; a password reset lifts it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from limits import parse_many
from limits.errors import StorageError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from sift.core.ratelimit import RateLimiting
from sift.identity.hashing import pseudonym
from sift.identity.web import IdentityContext

log = structlog.get_logger()
# Without Redis, sign-in goes on unthrottled (like `RateLimitSettings.fail_open`): the
# gateway's per-IP limit still stands, and nobody is locked out by an outage.
_UNAVAILABLE = (RedisError, StorageError, OSError, TimeoutError)


@dataclass(frozen=True)
class Lockout:
    seconds: int
    failed_attempts: int


class LoginThrottle:
    def __init__(self, redis: Redis, limiting: RateLimiting, context: IdentityContext) -> None:
        self.redis = redis
        self.limiting = limiting
        self.context = context
        self.account_limit = parse_many(context.config.login_limit_per_account)
        self.reset_mail_limit = parse_many(context.config.forgot_limit_per_account)

    def _keys(self, email: str) -> tuple[str, str, str, str]:
        subject = pseudonym(self.context.settings, email)
        key = self.context.settings.redis_key
        return (
            subject,
            key("identity", "login", "failures", subject),
            key("identity", "login", "lock", subject),
            key("identity", "login", "lockouts", subject),
        )

    async def retry_after(self, email: str) -> int | None:
        """Seconds until this address may try again (lock or budget), or None."""
        subject, _, lock, _ = self._keys(email)
        try:
            remaining_ms = await self.redis.pttl(lock)
            if remaining_ms > 0:
                return max(1, -(-remaining_ms // 1000))
            return await self.limiting.hit("identity.login.account", subject, self.account_limit)
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)
            return None

    async def reset_mail_allowed(self, email: str) -> bool:
        """Whether another reset e-mail may go to this address now (silently limited)."""
        subject = self._keys(email)[0]
        try:
            limited = await self.limiting.hit(
                "identity.forgot.account", subject, self.reset_mail_limit
            )
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)
            return True
        return limited is None

    async def failed(self, email: str) -> Lockout | None:
        """Counts a wrong password; returns the lockout it started, if it started one."""
        try:
            return await self._count_failure(email)
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)
            return None

    async def _count_failure(self, email: str) -> Lockout | None:
        _, failures, lock, lockouts = self._keys(email)
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
        await self.redis.set(lock, seconds, ex=seconds)
        return Lockout(seconds=seconds, failed_attempts=count)

    async def succeeded(self, email: str) -> None:
        await self._forget(email, lockouts=False)

    async def lift(self, email: str) -> None:
        """Forgets failures and lockouts (after a password reset proved the mailbox)."""
        await self._forget(email, lockouts=True)

    async def _forget(self, email: str, *, lockouts: bool) -> None:
        _, failures, lock, lockout_count = self._keys(email)
        keys = [failures, lock, lockout_count] if lockouts else [failures]
        try:
            await self.redis.delete(*keys)
        except _UNAVAILABLE as exc:
            log.warning("identity.throttle_unavailable", error=type(exc).__name__)
