"""Access tokens at identity and at another service: the attack list, revocation, rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Depends, FastAPI
from pydantic import SecretStr
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.app import create_service_app
from sift.core.auth import Authenticator, Authorize, Principal, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.auth.jwks import JwksKeySource
from sift.core.auth.sealing import SealError, decrypt, derive_key
from sift.core.config import CoreSettings
from sift.identity.keys.service import signing_key_service
from sift.identity.keys.store import KeyStore
from sift.identity.models import Membership, SigningKey, User
from tests.identity.conftest import Identity


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: bytes | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def resign(token: str, **changes: Any) -> str:
    """The token's claims changed, signed by a key identity never had, under its kid."""
    header, claims = parts(token)
    return jwt.encode({**claims, **changes}, Ed25519PrivateKey.generate(), "EdDSA", header)


def alg_none(token: str) -> str:
    header, claims = parts(token)
    return f"{b64({**header, 'alg': 'none'})}.{b64(claims)}."


def hs256_with_public_key(token: str, jwks: dict[str, Any]) -> str:
    header, claims = parts(token)
    [key] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    signing_input = f"{b64({**header, 'alg': 'HS256'})}.{b64(claims)}"
    secret = base64.urlsafe_b64decode(key["x"] + "==")  # the public key's raw bytes
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered(token: str) -> str:
    header, _, signature = token.split(".")
    _, claims = parts(token)
    return f"{header}.{b64({**claims, 'role': 'owner', 'org': str(uuid.uuid4())})}.{signature}"


@pytest.fixture
async def signed_up(identity: Identity) -> dict[str, Any]:
    body: dict[str, Any] = await identity.signup("ada@example.com")
    return body


ATTACKS = [
    "alg_none",
    "hs256_signed_with_the_public_key",
    "unknown_kid",
    "expired",
    "not_yet_valid",
    "wrong_audience",
    "wrong_issuer",
    "tampered_payload",
]


@pytest.mark.parametrize("attack", ATTACKS)
async def test_forged_tokens_are_401_at_identity(
    identity: Identity, signed_up: dict[str, Any], attack: str
) -> None:
    token = signed_up["access_token"]
    now = int(time.time())
    keys = identity.app.state.key_store
    _, private = await keys.signer()
    header, claims = parts(token)

    def signed(**changes: Any) -> str:
        return jwt.encode({**claims, **changes}, private, "EdDSA", header)

    forgers: dict[str, Callable[[], str | None]] = {
        "alg_none": lambda: alg_none(token),
        "hs256_signed_with_the_public_key": lambda: None,
        "unknown_kid": lambda: jwt.encode(claims, private, "EdDSA", {**header, "kid": "nope"}),
        "expired": lambda: signed(iat=now - 900, nbf=now - 900, exp=now - 300),
        "not_yet_valid": lambda: signed(nbf=now + 300, exp=now + 600),
        "wrong_audience": lambda: signed(aud="another-platform"),
        "wrong_issuer": lambda: signed(iss="https://evil.example"),
        "tampered_payload": lambda: tampered(token),
    }
    forged = forgers[attack]()
    if forged is None:
        jwks = (await identity.client.get("/.well-known/jwks.json")).json()
        forged = hs256_with_public_key(token, jwks)
    assert (await identity.client.get("/api/users/me", headers=bearer(token))).status_code == 200
    answer = await identity.client.get("/api/users/me", headers=bearer(forged))
    assert answer.status_code == 401
    assert answer.json()["type"].endswith("/invalid-token")


async def test_a_token_signed_by_another_key_under_a_real_kid_is_401(
    identity: Identity, signed_up: dict[str, Any]
) -> None:
    forged = resign(signed_up["access_token"])
    assert (await identity.client.get("/api/users/me", headers=bearer(forged))).status_code == 401


async def test_the_token_of_a_deleted_user_is_401(
    identity: Identity, signed_up: dict[str, Any], session: AsyncSession
) -> None:
    await session.execute(
        update(User).where(User.email == "ada@example.com").values(status="deleted")
    )
    answer = await identity.client.get("/api/users/me", headers=bearer(signed_up["access_token"]))
    assert answer.status_code == 401


async def test_the_token_of_a_removed_member_is_401(
    identity: Identity, signed_up: dict[str, Any], session: AsyncSession
) -> None:
    await session.execute(delete(Membership))
    answer = await identity.client.get("/api/users/me", headers=bearer(signed_up["access_token"]))
    assert answer.status_code == 401


async def test_a_token_whose_role_changed_is_401_until_refreshed(
    identity: Identity, signed_up: dict[str, Any], session: AsyncSession
) -> None:
    await session.execute(update(Membership).values(role="viewer"))
    answer = await identity.client.get("/api/users/me", headers=bearer(signed_up["access_token"]))
    assert answer.status_code == 401
    refreshed = (await identity.refresh()).json()["access_token"]
    assert parts(refreshed)[1]["role"] == "viewer"
    assert (
        await identity.client.get("/api/users/me", headers=bearer(refreshed))
    ).status_code == 200


# Another service: verifies identity's tokens against its JWKS, fetched over HTTP.

things = APIRouter(prefix="/api/things", tags=["things"])


@things.get("")
async def read_things(
    principal: Annotated[Principal, Depends(Authorize("documents:read"))],
) -> dict[str, str]:
    return {"user": str(principal.user_id), "org": str(principal.org_id)}


@pytest.fixture
async def other_service(
    identity: Identity, settings: CoreSettings
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, JwksKeySource]]:
    app = create_service_app("things", routers=[things], settings=settings)
    async with app.router.lifespan_context(app):
        config = AuthSettings(
            jwks_url="https://testserver/.well-known/jwks.json", jwks_refetch_min_seconds=0
        )
        transport = httpx.ASGITransport(app=identity.app)
        keys = JwksKeySource(app.state.redis, settings, config, transport=transport)
        verifier = TokenVerifier(keys, issuer=config.issuer_for(settings), config=config)
        Authenticator.install(app, Authenticator(verifier))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://things"
        ) as client:
            yield app, client, keys


async def test_another_service_verifies_identity_tokens_from_the_jwks(
    other_service: tuple[FastAPI, httpx.AsyncClient, JwksKeySource], signed_up: dict[str, Any]
) -> None:
    _, client, keys = other_service
    token = signed_up["access_token"]
    for _ in range(3):
        answer = await client.get("/api/things", headers=bearer(token))
        assert answer.status_code == 200
    assert answer.json()["user"] == signed_up["user"]["id"]
    assert keys.fetches == 1  # no call to identity per request
    assert (await client.get("/api/things", headers=bearer(tampered(token)))).status_code == 401


async def _rotate(identity: Identity, *, immediate: bool = True) -> None:
    keys: KeyStore = identity.app.state.key_store
    async with identity.app.state.database.sessionmaker() as session, session.begin():
        await signing_key_service.rotate(session, keys.context, immediate=immediate)
    await keys.reload()


async def test_rotation_mid_session_keeps_old_tokens_valid_until_they_expire(
    identity: Identity,
    other_service: tuple[FastAPI, httpx.AsyncClient, JwksKeySource],
    signed_up: dict[str, Any],
    session: AsyncSession,
) -> None:
    _, client, _ = other_service
    old_token = signed_up["access_token"]
    assert (await client.get("/api/things", headers=bearer(old_token))).status_code == 200

    await _rotate(identity)
    new_token = (await identity.refresh()).json()["access_token"]
    old_kid, new_kid = parts(old_token)[0]["kid"], parts(new_token)[0]["kid"]
    assert old_kid != new_kid
    jwks = (await identity.client.get("/.well-known/jwks.json")).json()
    assert {key["kid"] for key in jwks["keys"]} == {old_kid, new_kid}
    for token in (old_token, new_token):  # the other service learns the new kid on its own
        assert (await client.get("/api/things", headers=bearer(token))).status_code == 200
        assert (
            await identity.client.get("/api/users/me", headers=bearer(token))
        ).status_code == 200

    # Once every token of the old key has expired, it leaves the JWKS.
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await session.execute(
        update(SigningKey).where(SigningKey.kid == old_kid).values(retired_at=long_ago)
    )
    await identity.app.state.key_store.reload()
    jwks = (await identity.client.get("/.well-known/jwks.json")).json()
    assert [key["kid"] for key in jwks["keys"]] == [new_kid]
    assert (
        await identity.client.get("/api/users/me", headers=bearer(old_token))
    ).status_code == 401


async def test_a_due_key_gets_a_successor_published_before_it_signs(
    identity: Identity, signed_up: dict[str, Any], session: AsyncSession
) -> None:
    keys: KeyStore = identity.app.state.key_store
    current_kid = parts(signed_up["access_token"])[0]["kid"]
    await session.execute(update(SigningKey).values(retire_after=datetime.now(UTC)))
    await keys.reload()

    assert (await keys.signer())[0] == current_kid  # still signs: the successor waits
    jwks = (await identity.client.get("/.well-known/jwks.json")).json()
    successor = next(key["kid"] for key in jwks["keys"] if key["kid"] != current_kid)
    assert len(jwks["keys"]) == 2

    await session.execute(
        update(SigningKey)
        .where(SigningKey.kid == successor)
        .values(active_from=datetime.now(UTC) - timedelta(seconds=1))
    )
    await session.execute(
        update(SigningKey)
        .where(SigningKey.kid == current_kid)
        .values(retired_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    await keys.reload()
    assert (await keys.signer())[0] == successor
    assert set(await session.scalars(select(SigningKey.kid))) == {current_kid, successor}


async def test_private_keys_are_encrypted_with_a_key_from_the_secret(
    identity: Identity, signed_up: dict[str, Any], session: AsyncSession, settings: CoreSettings
) -> None:
    row = await session.scalar(select(SigningKey))
    assert row is not None and row.algorithm == "EdDSA"
    assert "d" not in row.public_jwk and row.public_jwk["crv"] == "Ed25519"
    key = derive_key(settings, "sift.identity.signing-keys")
    assert len(decrypt(key, row.private_key_encrypted, context=row.kid.encode())) == 48
    other = derive_key(settings.model_copy(update={"secret_key": SecretStr("x" * 40)}), "x")
    with pytest.raises(SealError):
        decrypt(other, row.private_key_encrypted, context=row.kid.encode())
    with pytest.raises(SealError):
        decrypt(key, row.private_key_encrypted, context=b"another-kid")
