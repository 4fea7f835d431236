"""Request-side helpers of the identity service: settings, the client's address and device."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.errors import SiftError, error_response
from sift.core.ratelimit import RateLimiting, client_ip
from sift.identity.config import IdentitySettings

USER_AGENT_LENGTH = 512


@dataclass(frozen=True)
class IdentityContext:
    """What identity's services need from configuration, in one typed object."""

    settings: CoreSettings
    config: IdentitySettings
    auth: AuthSettings

    @property
    def issuer(self) -> str:
        return self.auth.issuer_for(self.settings)

    def link(self, path: str, token: str) -> str:
        return f"{self.settings.public_url.rstrip('/')}{path}?token={token}"


def context_of(request: Request) -> IdentityContext:
    context: IdentityContext = request.app.state.identity
    return context


async def identity_context(request: Request) -> IdentityContext:
    # A dependency, so `async`: FastAPI runs a plain function's in a worker thread.
    return context_of(request)


ContextDep = Annotated[IdentityContext, Depends(identity_context)]


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str | None

    @property
    def device(self) -> str | None:
        return describe_device(self.user_agent)


async def client_info(request: Request) -> ClientInfo:
    trusted = RateLimiting.of(request.app).config.trusted_proxies
    address = client_ip(request, trusted)
    agent = request.headers.get("user-agent")
    return ClientInfo(
        ip=None if address == "unknown" else address,
        user_agent=agent[:USER_AGENT_LENGTH] if agent else None,
    )


ClientDep = Annotated[ClientInfo, Depends(client_info)]

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str | None) -> str | None:
    """ "Firefox on Linux": enough for a person to recognise a session, nothing more."""
    if not user_agent:
        return None
    browser = next((name for token, name in _BROWSERS if token in user_agent), None)
    if browser is None and re.search(r"Version/[\d.]+ .*Safari/", user_agent):
        browser = "Safari"
    system = next((name for token, name in _SYSTEMS if token in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or user_agent.split("/", 1)[0][:100]


class RecordedFailure(SiftError):
    """A refusal whose side effects (events, revocations) must be committed with it.

    Raising rolls the unit of work back; an endpoint catches these and returns
    `recorded(request, exc)` instead, so that the request's transaction commits.
    """


def recorded(request: Request, exc: RecordedFailure) -> JSONResponse:
    return error_response(request, exc)
