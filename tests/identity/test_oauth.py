"""Social login end to end: the real identity app, fake providers on 127.0.0.1, real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.permissions import Role
from sift.identity.config import IdentitySettings
from sift.identity.models import Membership, OAuthAccount, RefreshFamily, User
from sift.identity.oauth.state import BINDING_COOKIE
from tests.fakes.oidc import CLIENT_ID, CLIENT_SECRET, FakeGitHub, FakeOidcProvider, rsa_key
from tests.identity.conftest import (
    ORIGIN,
    PASSWORD,
    Identity,
    IdentityFactory,
    cheap_config,
    make_org,
    outbox_events,
    outbox_types,
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


async def test_google_sign_in_creates_an_account_and_a_session(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    started = await start(social, "google")
    assert started.status_code == 302
    authorize = urlsplit(started.headers["location"])
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{google.url}/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK.format(provider="google")
    assert query["code_challenge_method"] == "S256"
    assert query["scope"] == "openid email profile"
    assert len(query["state"]) >= 43 and len(query["nonce"]) >= 43
    cookie = started.headers["set-cookie"]
    assert BINDING_COOKIE in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "samesite=lax" in cookie.lower() and "Path=/api/auth/oauth" in cookie

    answer = await callback(social, await at_provider(started.headers["location"]))
    assert landed(answer) == f"{ORIGIN}/"
    assert "token" not in answer.headers["location"]
    assert social.client.cookies.get("sift_refresh") and social.client.cookies.get("sift_csrf")
    # PKCE: the token request carried the verifier of the challenge (the fake checked it).
    assert google.token_requests[-1]["code_verifier"]

    # Like the web app: the refresh cookie (and CSRF token) buy an access token.
    refreshed = await social.refresh()
    assert refreshed.status_code == 200, refreshed.text
    access = refreshed.json()["access_token"]
    claims = jwt.decode(access, options={"verify_signature": False})
    me = await social.client.get("/api/users/me", headers={"Authorization": f"Bearer {access}"})
    assert me.json()["email"] == "ada@example.com" and me.json()["email_verified"] is True
    assert me.json()["name"] == "Ada Lovelace"
    user = await session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user is not None and user.password_hash is None and str(user.id) == claims["sub"]
    assert claims["role"] == "owner"  # of the new personal organization
    link = await session.scalar(select(OAuthAccount).where(OAuthAccount.user_id == user.id))
    assert link is not None
    assert (link.provider, link.subject, link.email_verified) == ("google", "person-1", True)
    assert link.last_used_at is not None
    family = await session.scalar(select(RefreshFamily).where(RefreshFamily.user_id == user.id))
    assert family is not None and family.auth_method == "google"
    types = await outbox_types(session)
    assert "user.signed_up" in types and "auth.login_succeeded" in types
    [signed_up] = await outbox_events(session, "user.signed_up")
    assert signed_up["data"]["method"] == "google"
    [login] = await outbox_events(session, "auth.login_succeeded")
    assert login["data"]["method"] == "google"

    # The second time, the linked account signs in: no new account, no new link.
    again = await sign_in(social, "google")
    assert landed(again) == f"{ORIGIN}/"
    assert len(await outbox_events(session, "user.signed_up")) == 1
    assert len(await outbox_events(session, "auth.login_succeeded")) == 2
    links = await session.scalars(select(OAuthAccount).where(OAuthAccount.user_id == user.id))
    assert len(list(links)) == 1


async def test_github_sign_in_uses_the_verified_primary_address(
    social: Identity, github: FakeGitHub, session: AsyncSession
) -> None:
    started = await start(social, "github")
    query = parse_qs(urlsplit(started.headers["location"]).query)
    assert urlsplit(started.headers["location"]).path == "/login/oauth/authorize"
    assert query["code_challenge_method"] == ["S256"] and "nonce" not in query
    assert query["scope"] == ["read:user user:email"]
    answer = await callback(social, await at_provider(started.headers["location"]))
    assert landed(answer) == f"{ORIGIN}/"
    claims = await access_claims(social)
    user = await session.scalar(select(User).where(User.email == "octocat@example.com"))
    assert user is not None and str(user.id) == claims["sub"] and user.name == "The Octocat"
    link = await session.scalar(select(OAuthAccount).where(OAuthAccount.provider == "github"))
    assert link is not None and (link.subject, link.user_id) == ("583231", user.id)
    # client_secret_post, as GitHub expects.
    assert github.token_requests[-1]["client_secret"] == CLIENT_SECRET
    [login] = await outbox_events(session, "auth.login_succeeded")
    assert login["data"]["method"] == "github"


async def test_github_without_a_verified_primary_address_is_refused(
    social: Identity, github: FakeGitHub, session: AsyncSession
) -> None:
    github.emails[1].verified = False
    assert error_of(await sign_in(social, "github")) == "email_unverified"
    assert await session.scalar(select(OAuthAccount)) is None
    assert await session.scalar(select(User).where(User.email == "octocat@example.com")) is None


async def test_a_verified_address_links_to_the_existing_account(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    await social.signup("ada@example.com")
    user = await session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user is not None
    user.email_verified_at = datetime.now(UTC)
    await session.flush()
    assert landed(await sign_in(social, "google")) == f"{ORIGIN}/"
    claims = await access_claims(social)
    assert claims["sub"] == str(user.id)
    [linked] = await outbox_events(session, "auth.oauth_account_linked")
    assert linked["data"] == {
        "user_id": str(user.id),
        "provider": "google",
        "email": "ada@example.com",
        "secured_account": False,
    }
    assert (await social.login("ada@example.com")).status_code == 200  # the password still works


async def test_linking_an_unverified_account_drops_its_password_and_sessions(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    # Someone registered the address first (pre-hijacking); its owner signs in with Google.
    await social.signup("ada@example.com")
    squatter_session = await session.scalar(select(RefreshFamily))
    assert squatter_session is not None
    assert landed(await sign_in(social, "google")) == f"{ORIGIN}/"
    user = await session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user is not None
    await session.refresh(user)
    await session.refresh(squatter_session)
    assert user.password_hash is None and user.email_verified_at is not None
    assert squatter_session.revoked_at is not None
    [linked] = await outbox_events(session, "auth.oauth_account_linked")
    assert linked["data"]["secured_account"] is True
    assert (await social.login("ada@example.com")).status_code == 401


async def test_an_unverified_address_never_links_to_an_existing_account(
    social: Identity, google: FakeOidcProvider, session: AsyncSession
) -> None:
    await social.signup("ada@example.com")
    google.person.email_verified = False
    answer = await sign_in(social, "google")
    assert landed(answer).startswith(f"{ORIGIN}/sign-in?")
    assert error_of(answer) == "email_unverified"
    assert await session.scalar(select(OAuthAccount)) is None
    assert await outbox_events(session, "auth.oauth_account_linked") == []
    assert (await social.login("ada@example.com")).status_code == 200


async def test_a_generic_oidc_issuer_maps_groups_to_an_organization_role(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    org = await make_org(session, "Acme")
    with FakeOidcProvider().running() as acme:
        assert isinstance(acme, FakeOidcProvider)
        config = oauth_config(
            acme=oidc_provider(
                acme,
                display_name="Acme SSO",
                role_claim="groups",
                role_mapping={"sift-admins": "admin", "sift-readers": "viewer"},
                organization_id=str(org.id),
                token_auth_method="client_secret_post",
            )
        )
        acme.person.claims = {"groups": ["engineering", "sift-readers", "sift-admins"]}
        async with identity_factory(config=config) as identity:
            providers = await identity.client.get("/api/auth/oauth/providers")
            assert providers.json() == [
                {
                    "name": "acme",
                    "display_name": "Acme SSO",
                    "kind": "oidc",
                    "start_url": "/api/auth/oauth/acme/start",
                }
            ]
            assert landed(await sign_in(identity, "acme")) == f"{ORIGIN}/"
            claims = await access_claims(identity)
            assert (claims["org"], claims["role"]) == (str(org.id), "admin")
            [provisioned] = await outbox_events(session, "member.provisioned")
            assert provisioned["data"]["role"] == "admin"
            assert provisioned["data"]["provider"] == "acme"
            [login] = await outbox_events(session, "auth.login_succeeded")
            assert login["data"]["method"] == "oidc"

            # The IdP moves the person to readers: the next sign-in follows.
            acme.person.claims = {"groups": "sift-readers"}
            assert landed(await sign_in(identity, "acme")) == f"{ORIGIN}/"
            assert (await access_claims(identity))["role"] == "viewer"
            [changed] = await outbox_events(session, "member.role_changed")
            assert changed["data"]["old_role"] == "admin"
            assert changed["data"]["new_role"] == "viewer"

            # No group that maps: the membership stays; the session starts where it did.
            acme.person.claims = {"groups": ["engineering"]}
            assert landed(await sign_in(identity, "acme")) == f"{ORIGIN}/"
            membership = await session.scalar(select(Membership).where(Membership.org_id == org.id))
            assert membership is not None and membership.role == Role.viewer


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
