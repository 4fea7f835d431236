"""Dependencies of the assistant's endpoints: AI quotas per user and per organization, the
caller's own token, forwarded to the search service, and the database for asking."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sift.assistant.auth import AssistantAsk
from sift.assistant.config import AssistantSettings
from sift.assistant.runtime import Runtime
from sift.assistant.settings.service import assistant_settings_service
from sift.core.db import Database, get_database
from sift.core.ratelimit import ConfiguredLimit, by_organization, by_principal


def _assistant_config(request: Request) -> AssistantSettings:
    runtime: Runtime = request.app.state.assistant
    return runtime.config


_user_quota = ConfiguredLimit(
    "assistant.user", "user_rate_limit", settings_of=_assistant_config, key=by_principal
)
_org_quota = ConfiguredLimit(
    "assistant.org", "org_rate_limit", settings_of=_assistant_config, key=by_organization
)


async def ai_quota(request: Request) -> None:
    """Counts an AI request per caller, then per organization."""
    await _user_quota(request)
    await _org_quota(request)


# Declare it after the principal's dependency, so that the count is per caller.
AiQuotaDep = Annotated[None, Depends(ai_quota)]


async def forwarded_authorization(request: Request) -> str:
    """The caller's `Authorization` header: search judges access as the caller."""
    return request.headers.get("authorization", "")


ForwardedAuthorization = Annotated[str, Depends(forwarded_authorization)]


# Asking opens its own sessions: a streamed answer is recorded after its response started.
DatabaseDep = Annotated[Database, Depends(get_database)]


async def monthly_quota(principal: AssistantAsk, database: DatabaseDep) -> None:
    """429 once the organization used its monthly AI quota (set by its admins)."""
    # A short session of its own: a streamed answer must not hold one while it runs.
    async with database.read_sessionmaker() as session:
        await assistant_settings_service.check_quota(session, principal.org_id)


MonthlyQuotaDep = Annotated[None, Depends(monthly_quota)]
