"""Social login fixtures: fake Google (OIDC) and GitHub on 127.0.0.1, the real identity app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from sift.identity.config import IdentitySettings
from tests.fakes.oidc import CLIENT_ID, CLIENT_SECRET, FakeGitHub, FakeOidcProvider
from tests.identity.conftest import (
    ORIGIN,
    Identity,
    IdentityFactory,
    cheap_config,
)

CALLBACK = f"{ORIGIN}/api/auth/oauth/{{provider}}/callback"


@pytest.fixture
def google() -> Iterator[FakeOidcProvider]:
    with FakeOidcProvider().running() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub().running() as fake:
        yield fake  # type: ignore[misc]


def oidc_provider(fake: FakeOidcProvider, **extra: Any) -> dict[str, Any]:
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "issuer": fake.url, **extra}


def github_provider(fake: FakeGitHub) -> dict[str, Any]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "web_url": fake.url,
        "api_url": fake.url,
    }


def oauth_config(**providers: dict[str, Any]) -> IdentitySettings:
    return cheap_config(oauth={"providers": providers})


@pytest.fixture
async def social(
    identity_factory: IdentityFactory, google: FakeOidcProvider, github: FakeGitHub
) -> AsyncIterator[Identity]:
    config = oauth_config(google=oidc_provider(google), github=github_provider(github))
    async with identity_factory(config=config) as identity:
        yield identity


async def start(identity: Identity, provider: str, **params: str) -> httpx.Response:
    return await identity.client.get(f"/api/auth/oauth/{provider}/start", params=params)


async def at_provider(authorize_url: str) -> str:
    """The browser at the provider (which approves at once): the callback it is sent to."""
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(authorize_url)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def callback(identity: Identity, url: str) -> httpx.Response:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == ORIGIN
    return await identity.client.get(f"{parts.path}?{parts.query}")


async def sign_in(identity: Identity, provider: str, **params: str) -> httpx.Response:
    started = await start(identity, provider, **params)
    assert started.status_code == 302, started.text
    return await callback(identity, await at_provider(started.headers["location"]))


def landed(answer: httpx.Response) -> str:
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    return location


def error_of(answer: httpx.Response) -> str | None:
    query = parse_qs(urlsplit(landed(answer)).query)
    return query.get("error", [None])[0]


async def access_claims(identity: Identity) -> dict[str, Any]:
    refreshed = await identity.refresh()
    assert refreshed.status_code == 200, refreshed.text
    claims: dict[str, Any] = jwt.decode(
        refreshed.json()["access_token"], options={"verify_signature": False}
    )
    return claims
