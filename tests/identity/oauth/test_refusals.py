"""Social login refusals: state, nonce, tokens, redirects and providers that misbehave."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.identity.models import OAuthAccount, User
from tests.fakes.oidc import FakeGitHub, FakeOidcProvider, rsa_key
from tests.identity.conftest import (
    ORIGIN,
    PASSWORD,
    Identity,
    IdentityFactory,
    outbox_events,
)
from tests.identity.oauth.conftest import (
    at_provider,
    callback,
    error_of,
    landed,
    oauth_config,
    oidc_provider,
    sign_in,
    start,
)


async def test_a_state_works_once_and_only_in_the_browser_that_started(
    social: Identity, identity_factory: IdentityFactory, google: FakeOidcProvider
) -> None:
    started = await start(social, "google")
    url = await at_provider(started.headers["location"])
    # Another browser (no binding cookie) cannot finish it, and its attempt burns the state.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=social.app), base_url="https://testserver"
    ) as other:
        parts = urlsplit(url)
        stolen = await other.get(f"{parts.path}?{parts.query}")
    assert error_of(stolen) == "invalid_state"
    assert error_of(await callback(social, url)) == "invalid_state"

    started = await start(social, "google")
    url = await at_provider(started.headers["location"])
    assert landed(await callback(social, url)) == f"{ORIGIN}/"
    assert error_of(await callback(social, url)) == "invalid_state"  # replayed


async def test_a_forged_or_missing_state_is_refused(
    social: Identity, google: FakeOidcProvider
) -> None:
    started = await start(social, "google")
    url = await at_provider(started.headers["location"])
    forged = url.replace("state=", "state=x")
    assert error_of(await callback(social, forged)) == "invalid_state"
    assert error_of(await social.client.get("/api/auth/oauth/google/callback?code=abc")) == (
        "invalid_state"
    )
    # A state of one provider does not finish another's flow.
    github_url = url.replace("/oauth/google/", "/oauth/github/")
    assert error_of(await callback(social, github_url)) == "invalid_state"


async def test_a_nonce_that_does_not_match_is_refused(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    google.nonce_override = "another-nonce"
    answer = await sign_in(social, "google")
    assert error_of(answer) == "invalid_id_token"
    assert "sift_refresh" not in social.client.cookies
    assert await session.scalar(select(User)) is None


async def test_an_id_token_signed_by_another_key_is_refused(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    google.signing_key = rsa_key(kid=google.key.kid or "")  # same kid, another key
    assert error_of(await sign_in(social, "google")) == "invalid_id_token"
    google.signing_key = rsa_key(kid="unknown-kid")
    assert error_of(await sign_in(social, "google")) == "invalid_id_token"
    assert await session.scalar(select(User)) is None


@pytest.mark.parametrize(
    ("knob", "value"),
    [("audience_override", "someone-else"), ("issuer_override", "https://evil.example")],
)
async def test_an_id_token_for_another_audience_or_issuer_is_refused(
    social: Identity, google: FakeOidcProvider, knob: str, value: str
) -> None:
    setattr(google, knob, value)
    assert error_of(await sign_in(social, "google")) == "invalid_id_token"


async def test_a_token_answer_without_an_id_token_is_refused(
    social: Identity, google: FakeOidcProvider
) -> None:
    google.id_token_in_answer = False
    assert error_of(await sign_in(social, "google")) == "invalid_id_token"


async def test_a_denied_consent_lands_on_the_sign_in_page(
    social: Identity, google: FakeOidcProvider
) -> None:
    google.deny = True
    answer = await sign_in(social, "google")
    location = urlsplit(landed(answer))
    assert (location.path, parse_qs(location.query)) == (
        "/sign-in",
        {"error": ["access_denied"], "provider": ["google"]},
    )


async def test_a_wrong_client_secret_fails_the_code_exchange(
    identity_factory: IdentityFactory, google: FakeOidcProvider
) -> None:
    config = oauth_config(google=oidc_provider(google, client_secret="wrong"))
    async with identity_factory(config=config) as identity:
        assert error_of(await sign_in(identity, "google")) == "token_exchange_failed"


async def test_return_to_goes_back_to_a_page_of_the_site(
    social: Identity, google: FakeOidcProvider
) -> None:
    answer = await sign_in(social, "google", return_to="/documents?tab=recent")
    assert landed(answer) == f"{ORIGIN}/documents?tab=recent"
    answer = await sign_in(social, "google", return_to=f"{ORIGIN}/search")
    assert landed(answer) == f"{ORIGIN}/search"


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "@evil.example",
        "evil.example",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "https://localhost:8443@evil.example/",
    ],
)
async def test_an_open_redirect_is_refused(
    social: Identity, google: FakeOidcProvider, return_to: str
) -> None:
    answer = await start(social, "google", return_to=return_to)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("invalid-return-to")


async def test_an_unknown_provider_is_a_problem(social: Identity) -> None:
    for step in ("start", "callback"):
        answer = await social.client.get(f"/api/auth/oauth/myspace/{step}")
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"


async def test_an_unreachable_provider_lands_on_the_sign_in_page(
    identity_factory: IdentityFactory,
) -> None:
    config = oauth_config(
        google={"client_id": "x", "client_secret": "y", "issuer": "http://127.0.0.1:9"}
    )
    async with identity_factory(config=config) as identity:
        assert error_of(await start(identity, "google")) == "provider_unavailable"


async def test_claims_missing_from_the_id_token_come_from_userinfo(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    google.userinfo_only = True
    assert landed(await sign_in(social, "google")) == f"{ORIGIN}/"
    assert ("GET", "/userinfo") in google.requests
    assert await session.scalar(select(User).where(User.email == "ada@example.com")) is not None


async def test_a_disabled_account_cannot_sign_in_with_a_provider(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    assert landed(await sign_in(social, "google")) == f"{ORIGIN}/"
    user = await session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user is not None
    user.status = "disabled"
    await session.flush()
    assert error_of(await sign_in(social, "google")) == "account_disabled"
    [failed] = await outbox_events(session, "auth.login_failed")
    assert failed["data"]["reason"] == "account_disabled"


class _AlwaysEnabled:
    name = "test-factor"

    async def enabled_for(self, session: AsyncSession, user: User) -> bool:
        return True

    async def verify(self, session: AsyncSession, user: User, code: str) -> bool:
        return False


async def test_a_second_factor_is_not_skipped_by_a_provider(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    from sift.identity.accounts.second_factor import (
        register_second_factor,
        unregister_second_factor,
    )

    await social.signup("ada@example.com")  # an account with a second factor (below)
    factor = _AlwaysEnabled()
    register_second_factor(factor)
    try:
        assert error_of(await sign_in(social, "google")) == "mfa_required"
    finally:
        unregister_second_factor(factor)
    # The refused sign-in left nothing behind: no link.
    assert await session.scalar(select(OAuthAccount)) is None


async def test_a_github_answer_without_a_user_id_is_refused(
    social: Identity, github: FakeGitHub, session: AsyncSession
) -> None:
    github.user = {"login": "ghost"}
    assert error_of(await sign_in(social, "github")) == "provider_unavailable"
    assert await session.scalar(select(User)) is None


async def test_a_provider_sign_in_makes_the_browser_trusted_for_passwords(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    await social.signup("ada@example.com")
    user = await session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user is not None
    user.email_verified_at = datetime.now(UTC)
    await session.flush()
    social.client.cookies.clear()  # a browser that only ever signed in with Google
    assert landed(await sign_in(social, "google")) == f"{ORIGIN}/"
    async with social.browser() as attacker:
        for _ in range(5):
            await attacker.post(
                "/api/auth/login", json={"email": "ada@example.com", "password": "wrong guess!"}
            )
        locked = await attacker.post(
            "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
        assert locked.status_code == 429
    assert (await social.login("ada@example.com")).status_code == 200
