"""Sign in with Google, GitHub or an OIDC issuer (`/api/auth/oauth`).

Both steps are browser navigations: `start` redirects to the provider, `callback` back
to the web app with the session cookies set and no token in the URL (the web app then
calls /api/auth/refresh). A failed sign-in lands on the web app's sign-in page with
`?error=<reason>&provider=<name>`.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Cookie, Depends, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from sift.core.auth import Public
from sift.core.auth.revocation import RevocationsDep
from sift.core.db import SessionDep
from sift.core.errors import RateLimited
from sift.core.text import StorableText
from sift.identity.accounts.devices import DeviceCookies
from sift.identity.limits import OAuthLimit
from sift.identity.oauth.exceptions import InvalidReturnTo, OAuthFailed, UnknownProvider
from sift.identity.oauth.providers import Provider, ProviderRegistry
from sift.identity.oauth.schemas import ProviderRead
from sift.identity.oauth.service import CallbackParams, oauth_service
from sift.identity.oauth.state import BINDING_COOKIE, SignInStates, new_secret
from sift.identity.sessions.cookies import set_device_cookie, set_session_cookies
from sift.identity.web import ClientDep, ContextDep, IdentityContext

log = structlog.get_logger()

router = APIRouter(prefix="/api/auth/oauth", tags=["auth"])
BINDING_LENGTH = len(new_secret())


async def provider_registry(request: Request) -> ProviderRegistry:
    registry: ProviderRegistry = request.app.state.oauth_providers
    return registry


async def sign_in_states(request: Request, context: ContextDep) -> SignInStates:
    return SignInStates(
        request.app.state.redis, context.settings, context.config.oauth.state_seconds
    )


RegistryDep = Annotated[ProviderRegistry, Depends(provider_registry)]
StatesDep = Annotated[SignInStates, Depends(sign_in_states)]


def _provider(registry: ProviderRegistry, name: str) -> Provider:
    provider = registry.get(name)
    if provider is None:
        raise UnknownProvider(f"No sign-in provider is called {name!r}.")
    return provider


def _redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=status.HTTP_302_FOUND)
    response.headers["Cache-Control"] = "no-store"
    return response


def _failed(context: IdentityContext, provider: str, exc: OAuthFailed) -> RedirectResponse:
    log.info("oauth.failed", provider=provider, reason=exc.reason)
    query = urlencode({"error": exc.reason, "provider": provider})
    page = context.config.oauth.error_path
    return _redirect(f"{context.settings.public_url.rstrip('/')}{page}?{query}")


@router.get(
    "/providers",
    response_model=list[ProviderRead],
    dependencies=[Depends(Public("the sign-in page lists the providers"))],
)
async def list_providers(registry: RegistryDep) -> list[ProviderRead]:
    """The configured sign-in providers, for the sign-in page's buttons."""
    return [
        ProviderRead(
            name=name,
            display_name=provider.config.display_name or name.capitalize(),
            kind=provider.config.kind,
            start_url=f"{router.prefix}/{name}/start",
        )
        for name, provider in registry.providers.items()
    ]


@router.get(
    "/{provider}/start",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    dependencies=[Depends(Public("starts a sign-in with a provider"))],
    responses={
        **UnknownProvider.openapi(),
        **InvalidReturnTo.openapi(),
        **RateLimited.openapi(),
    },
)
async def start(
    _: OAuthLimit,
    provider: StorableText,
    context: ContextDep,
    registry: RegistryDep,
    states: StatesDep,
    return_to: Annotated[StorableText | None, Query(max_length=2048)] = None,
    browser: Annotated[
        StorableText | None, Cookie(alias=BINDING_COOKIE, include_in_schema=False)
    ] = None,
) -> Response:
    """Redirect to the provider (authorization code with PKCE, state and nonce)."""
    chosen = _provider(registry, provider)
    if browser is None or len(browser) != BINDING_LENGTH:
        browser = new_secret()
    try:
        url = await oauth_service.start(
            context, states, chosen, return_to=return_to, browser=browser
        )
    except OAuthFailed as exc:
        return _failed(context, provider, exc)
    response = _redirect(url)
    # Lax: the provider's redirect back is a cross-site navigation that must carry it.
    response.set_cookie(
        BINDING_COOKIE,
        browser,
        max_age=context.config.oauth.state_seconds,
        path=router.prefix,
        secure=context.config.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(
    "/{provider}/callback",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    dependencies=[Depends(Public("the provider's answer and the sign-in state authenticate it"))],
    responses={**UnknownProvider.openapi(), **RateLimited.openapi()},
)
async def callback(
    _: OAuthLimit,
    provider: StorableText,
    session: SessionDep,
    context: ContextDep,
    registry: RegistryDep,
    states: StatesDep,
    client: ClientDep,
    revocations: RevocationsDep,
    state: Annotated[StorableText | None, Query(max_length=512)] = None,
    code: Annotated[StorableText | None, Query(max_length=2048)] = None,
    error: Annotated[StorableText | None, Query(max_length=256)] = None,
    browser: Annotated[
        StorableText | None, Cookie(alias=BINDING_COOKIE, include_in_schema=False)
    ] = None,
) -> Response:
    """Finish the sign-in: signs in, links or creates the account, sets the session cookies."""
    chosen = _provider(registry, provider)
    try:
        signed_in = await oauth_service.finish(
            session,
            context,
            states,
            revocations,
            chosen,
            CallbackParams(state=state, code=code, error=error),
            browser=browser,
            client=client,
        )
    except OAuthFailed as exc:
        if not exc.recorded:
            await session.rollback()
        return _failed(context, provider, exc)  # a recorded failed sign-in commits
    page = signed_in.return_to or context.config.oauth.success_path
    response = _redirect(f"{context.settings.public_url.rstrip('/')}{page}")
    set_session_cookies(response, context, signed_in.grant.refresh_token)
    # The provider vouched for this browser: its password sign-ins are trusted too.
    set_device_cookie(response, context, DeviceCookies(context).issue(signed_in.user))
    return response
