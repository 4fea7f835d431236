"""A circuit breaker per provider whose state lives in Redis, so every replica shares it.

closed → (threshold failures within `window`) → open → (after `open_seconds`) half-open:
one replica wins the probe (SET NX); its success closes the circuit, its failure opens it
again. Each transition is one Lua script, atomic across replicas. Why not a library:
docs/adr/0004-circuit-breaker.md. When Redis fails, the breaker lets calls through (the
provider's own timeout still bounds them): an outage of Redis must not stop answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = structlog.get_logger()

_REDIS_FAILURES = (RedisError, OSError, TimeoutError)

# KEYS: state hash, probe key. ARGV: now, threshold, window, open_seconds.
# Returns the state after the failure.
_RECORD_FAILURE = """
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local now = tonumber(ARGV[1])
if state == 'open' and tonumber(redis.call('HGET', KEYS[1], 'until') or '0') > now then
  return 'open'
end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if state == 'half_open' or state == 'open' or failures >= tonumber(ARGV[2]) then
  local until_ = now + tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], 'state', 'open', 'until', tostring(until_), 'failures', 0)
  redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(ARGV[4]) + tonumber(ARGV[3])) * 1000))
  redis.call('DEL', KEYS[2])
  return 'open'
end
if failures == 1 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) * 1000))
end
return 'closed'
"""

# KEYS: state hash, probe key. ARGV: now, probe_ttl. Returns 1 when the call may proceed.
_ALLOW = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'open' and state ~= 'half_open' then return 1 end
if tonumber(redis.call('HGET', KEYS[1], 'until') or '0') > tonumber(ARGV[1]) then return 0 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', math.ceil(tonumber(ARGV[2]) * 1000)) then
  redis.call('HSET', KEYS[1], 'state', 'half_open')
  return 1
end
return 0
"""


class CircuitState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


@dataclass(frozen=True)
class BreakerConfig:
    failure_threshold: int = 5
    window_seconds: float = 60.0
    open_seconds: float = 30.0
    probe_seconds: float = 30.0  # how long one half-open probe may take before another tries


class CircuitBreaker:
    """`await breaker.allow("gemini")` before a call; `record_success` / `record_failure` after."""

    def __init__(self, redis: Redis, key_prefix: str, config: BreakerConfig) -> None:
        self.redis = redis
        self.prefix = key_prefix
        self.config = config
        self._allow = redis.register_script(_ALLOW)
        self._failure = redis.register_script(_RECORD_FAILURE)

    def _keys(self, name: str) -> list[str]:
        return [f"{self.prefix}{name}", f"{self.prefix}{name}:probe"]

    async def allow(self, name: str) -> bool:
        try:
            allowed = await self._allow(
                keys=self._keys(name), args=[time.time(), self.config.probe_seconds]
            )
        except _REDIS_FAILURES as exc:
            log.warning("assistant.breaker.unavailable", provider=name, error=type(exc).__name__)
            return True
        return bool(int(allowed))

    async def record_success(self, name: str) -> None:
        try:
            await self.redis.delete(*self._keys(name))
        except _REDIS_FAILURES as exc:
            log.warning("assistant.breaker.unavailable", provider=name, error=type(exc).__name__)

    async def record_failure(self, name: str) -> CircuitState:
        config = self.config
        try:
            state = await self._failure(
                keys=self._keys(name),
                args=[
                    time.time(),
                    config.failure_threshold,
                    config.window_seconds,
                    config.open_seconds,
                ],
            )
        except _REDIS_FAILURES as exc:
            log.warning("assistant.breaker.unavailable", provider=name, error=type(exc).__name__)
            return CircuitState.closed
        result = CircuitState(state.decode() if isinstance(state, bytes) else str(state))
        if result is CircuitState.open:
            log.warning("assistant.breaker.opened", provider=name)
        return result

    async def state(self, name: str) -> CircuitState:
        raw = await self.redis.hget(self._keys(name)[0], "state")
        if raw is None:
            return CircuitState.closed
        return CircuitState(raw.decode() if isinstance(raw, bytes) else str(raw))
