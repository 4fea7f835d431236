"""identity and the revocation list: a revocation commits only once it is in Redis.

Every service reads the list to refuse revoked tokens (tests/documents, tests/search and
tests/assistant `test_revocation.py` go through identity's API and theirs); here, what
identity does when it cannot write the list: the request fails and nothing is revoked
half-way (a revocation committed without its marker would be a hole).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.permissions import Role
from sift.core.auth.revocation import Revocations
from sift.core.config import CoreSettings
from sift.runtime.embedded_postgres import free_port
from tests.core.auth.jwks_over_asgi import probe_service
from tests.fakes.oidc import FakeOidcProvider
from tests.identity.conftest import Identity, IdentityFactory, add_member, make_org
from tests.identity.oauth.conftest import oauth_config, oidc_provider, sign_in
from tests.identity.test_sessions import cookie_headers


class ListSwitch:
    """Makes identity's revocation list unreachable (the rest of Redis still answers)."""

    def __init__(self, identity: Identity, settings: CoreSettings) -> None:
        self.app = identity.app
        self.working: Revocations = identity.app.state.revocations
        self.down = Redis.from_url(f"redis://127.0.0.1:{free_port()}", socket_connect_timeout=1)
        self.settings = settings

    def cut(self) -> None:
        self.app.state.revocations = Revocations(self.down, self.settings, self.working.config)

    def restore(self) -> None:
        self.app.state.revocations = self.working


@pytest.fixture
async def switch(identity: Identity, settings: CoreSettings) -> AsyncIterator[ListSwitch]:
    switch = ListSwitch(identity, settings)
    try:
        yield switch
    finally:
        switch.restore()
        await switch.down.aclose()


def assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/revocation-unavailable")


async def test_a_sign_out_that_cannot_be_published_is_not_committed(
    identity: Identity, switch: ListSwitch
) -> None:
    await identity.signup("ada@example.com")
    switch.cut()
    assert_unavailable(await identity.client.post("/api/auth/logout", headers=identity.csrf()))
    switch.restore()
    # Not half done: the session is whole (it refreshes) and signs out once Redis answers.
    assert (await identity.refresh()).status_code == 200
    refresh_token = identity.client.cookies.get("sift_refresh")
    assert refresh_token is not None
    signed_out = await identity.client.post("/api/auth/logout", headers=identity.csrf())
    assert signed_out.status_code == 204
    again = await identity.client.post("/api/auth/refresh", headers=cookie_headers(refresh_token))
    assert again.status_code == 401


async def test_an_api_key_deletion_that_cannot_be_published_is_not_committed(
    identity: Identity, switch: ListSwitch, session: AsyncSession
) -> None:
    org = await make_org(session)
    owner = await add_member(session, identity, org, Role.owner)
    created = await identity.client.post(
        f"/api/orgs/{org.id}/api-keys",
        json={"name": "CI", "permissions": ["org:read"]},
        headers=owner.headers,
    )
    path = f"/api/orgs/{org.id}/api-keys/{created.json()['id']}"
    switch.cut()
    assert_unavailable(await identity.client.delete(path, headers=owner.headers))
    switch.restore()
    listed = await identity.client.get(f"/api/orgs/{org.id}/api-keys", headers=owner.headers)
    assert listed.json()["items"][0]["revoked_at"] is None
    key = {"Authorization": f"Bearer {created.json()['key']}"}
    assert (await identity.client.post("/api/auth/api-keys/token", headers=key)).status_code == 200
    assert (await identity.client.delete(path, headers=owner.headers)).status_code == 204


async def test_a_member_removal_that_cannot_be_published_is_not_committed(
    identity: Identity, switch: ListSwitch, session: AsyncSession
) -> None:
    org = await make_org(session)
    owner = await add_member(session, identity, org, Role.owner)
    member = await add_member(session, identity, org, Role.editor)
    path = f"/api/orgs/{org.id}/members/{member.user.id}"
    switch.cut()
    assert_unavailable(await identity.client.delete(path, headers=owner.headers))
    switch.restore()
    assert (
        await identity.client.get(f"/api/orgs/{org.id}", headers=member.headers)
    ).status_code == 200
    assert (await identity.client.delete(path, headers=owner.headers)).status_code == 204
    assert (
        await identity.client.get(f"/api/orgs/{org.id}", headers=member.headers)
    ).status_code == 401


# The revocations that happen during a social sign-in reach the other services too.


async def passes(probe: httpx.AsyncClient, token: str) -> int:
    answer = await probe.get("/api/probe", headers={"Authorization": f"Bearer {token}"})
    return answer.status_code


async def test_an_idp_role_change_refuses_the_old_roles_tokens_elsewhere(
    identity_factory: IdentityFactory, session: AsyncSession, settings: CoreSettings
) -> None:
    org = await make_org(session, "Acme")
    with FakeOidcProvider().running() as acme:
        assert isinstance(acme, FakeOidcProvider)
        config = oauth_config(
            acme=oidc_provider(
                acme,
                role_claim="groups",
                role_mapping={"sift-admins": "admin", "sift-readers": "viewer"},
                organization_id=str(org.id),
            )
        )
        acme.person.claims = {"groups": ["sift-admins"]}
        async with (
            identity_factory(config=config) as identity,
            probe_service(settings, identity.app) as probe,
        ):
            await sign_in(identity, "acme")
            admin = (await identity.refresh()).json()["access_token"]
            assert await passes(probe, admin) == 200

            acme.person.claims = {"groups": ["sift-readers"]}
            await sign_in(identity, "acme")
            assert await passes(probe, admin) == 401
            viewer = (await identity.refresh()).json()["access_token"]
            assert await passes(probe, viewer) == 200


async def test_securing_an_account_by_social_sign_in_refuses_the_squatters_tokens_elsewhere(
    identity_factory: IdentityFactory, settings: CoreSettings
) -> None:
    with FakeOidcProvider().running() as google:
        assert isinstance(google, FakeOidcProvider)
        config = oauth_config(google=oidc_provider(google))
        async with (
            identity_factory(config=config) as identity,
            probe_service(settings, identity.app) as probe,
        ):
            squatter = (await identity.signup("ada@example.com"))["access_token"]
            assert await passes(probe, squatter) == 200
            await sign_in(identity, "google")
            assert await passes(probe, squatter) == 401
