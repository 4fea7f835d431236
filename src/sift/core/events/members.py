"""The members of a consumer group: a unique name per process, and forgetting dead ones."""

from __future__ import annotations

import os
import secrets
import socket
from typing import Any

from redis.asyncio import Redis

from sift.core.events.bus import as_text

PRUNE_IDLE_MS = 24 * 3600 * 1000

_PRUNE_SCRIPT = """
local removed = {}
for _, info in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local consumer = {}
  for i = 1, #info, 2 do consumer[info[i]] = info[i + 1] end
  if consumer['name'] ~= ARGV[3] and consumer['pending'] == 0
      and consumer['idle'] >= tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], consumer['name'])
    table.insert(removed, consumer['name'])
  end
end
return removed
"""


def consumer_name() -> str:
    """Unique per process: a restarted process is a new consumer, its old one gets claimed."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


async def prune_idle_members(
    redis: Redis, stream: str, group: str, *, keep: str, idle_ms: int = PRUNE_IDLE_MS
) -> list[str]:
    """Deletes the group's members (but `keep`) that hold nothing and have been idle `idle_ms`."""
    removed: list[Any] = await redis.eval(_PRUNE_SCRIPT, 1, stream, group, str(idle_ms), keep)
    return [as_text(name) for name in removed]
