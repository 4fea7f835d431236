"""Social login end to end: sign-in, sign-up and linking with Google, GitHub and any OIDC issuer."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.permissions import Role
from sift.identity.models import Membership, OAuthAccount, RefreshFamily, User
from sift.identity.oauth.state import BINDING_COOKIE
from tests.fakes.oidc import CLIENT_ID, CLIENT_SECRET, FakeGitHub, FakeOidcProvider
from tests.identity.conftest import (
    ORIGIN,
    Identity,
    IdentityFactory,
    make_org,
    outbox_events,
    outbox_types,
)
from tests.identity.oauth.conftest import (
    CALLBACK,
    access_claims,
    at_provider,
    callback,
    error_of,
    landed,
    oauth_config,
    oidc_provider,
    sign_in,
    start,
)


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
    assert "@" in login["data"]["email"]  # alerted there when the address is new

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
