"""Dependencies of the assistant's endpoints: AI quotas per user and per organization, the
caller's own token, forwarded to the search service, and the database for asking."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sift.assistant.runtime import get_runtime
from sift.core.db import Database, get_database
from sift.core.ratelimit import KeyFunc, RateLimit, by_principal


def by_organization(request: Request) -> str:
    principal = getattr(request.state, "principal", None)
    return f"org:{getattr(principal, 'org_id', 'unknown')}"


class AiQuota:
    """Counts an AI request against `user_rate_limit` (per caller) and `org_rate_limit`
    (per organization), both read from the assistant's settings."""

    def __init__(self) -> None:
        self._limits: dict[tuple[str, str], RateLimit] = {}

    def _limit(self, name: str, rule: str, key: KeyFunc) -> RateLimit:
        limit = self._limits.get((name, rule))
        if limit is None:
            limit = self._limits[(name, rule)] = RateLimit(name, rule, key=key)
        return limit

    async def __call__(self, request: Request) -> None:
        config = get_runtime(request).config
        await self._limit("assistant.user", config.user_rate_limit, by_principal)(request)
        await self._limit("assistant.org", config.org_rate_limit, by_organization)(request)


# Declare it after the principal's dependency, so that the count is per caller.
AiQuotaDep = Annotated[None, Depends(AiQuota())]


def forwarded_authorization(request: Request) -> str:
    """The caller's `Authorization` header: search judges access as the caller."""
    return request.headers.get("authorization", "")


ForwardedAuthorization = Annotated[str, Depends(forwarded_authorization)]


# Asking opens its own sessions: a streamed answer is recorded after its response started.
DatabaseDep = Annotated[Database, Depends(get_database)]
