"""Access-token verification against a JWKS served over HTTP: the JWT attack list."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from redis.asyncio import Redis

from sift.core.auth import AccessClaims, InvalidToken, Permission, PrincipalKind, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.auth.jwks import JwksKeySource
from sift.core.config import CoreSettings
from tests.core.auth.conftest import JwksServer, SigningKey, claims_for, ed25519_key, rsa_key


@pytest.fixture
def key(jwks_server: JwksServer) -> SigningKey:
    signing = ed25519_key()
    jwks_server.publish(signing)
    return signing


@pytest.fixture
def verifier(redis: Redis, settings: CoreSettings, auth_config: AuthSettings) -> TokenVerifier:
    keys = JwksKeySource(redis, settings, auth_config)
    return TokenVerifier(keys, issuer=settings.public_url, config=auth_config)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_valid_token_gives_its_principal(
    verifier: TokenVerifier, key: SigningKey, settings: CoreSettings
) -> None:
    claims = claims_for(settings, role="viewer")
    verified = await verifier.verify(key.sign(claims))
    principal = verified.principal()
    assert str(principal.user_id) == claims["sub"]
    assert str(principal.org_id) == claims["org"]
    assert principal.role == "viewer" and principal.kind is PrincipalKind.user
    assert principal.can("documents:read") and not principal.can("documents:write")
    assert principal.token_id == claims["jti"]


async def test_rs256_keys_are_accepted_too(
    verifier: TokenVerifier, jwks_server: JwksServer, settings: CoreSettings
) -> None:
    signing = rsa_key()
    jwks_server.publish(signing)
    assert (await verifier.verify(signing.sign(claims_for(settings)))).role == "editor"


def _alg_none(key: SigningKey, claims: dict[str, Any]) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': key.kid})}.{_b64(claims)}."


def _hs256_with_public_key(key: SigningKey, claims: dict[str, Any]) -> str:
    public_pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": key.kid})
    signing_input = f"{header}.{_b64(claims)}".encode()
    import hashlib
    import hmac

    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    return signing_input.decode() + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _tampered(key: SigningKey, claims: dict[str, Any]) -> str:
    header, _, signature = key.sign(claims).split(".")
    return ".".join([header, _b64({**claims, "role": "owner"}), signature])


def _rs256_header_on_ed25519_key(key: SigningKey, claims: dict[str, Any]) -> str:
    other = rsa_key(kid=key.kid)  # an attacker's RSA key under the victim's kid
    return other.sign(claims)


def _other_key_same_kid(key: SigningKey, claims: dict[str, Any]) -> str:
    return ed25519_key(kid=key.kid).sign(claims)


def _unknown_kid(key: SigningKey, claims: dict[str, Any]) -> str:
    return ed25519_key().sign(claims)


def _no_kid(key: SigningKey, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, key.private, algorithm="EdDSA")


class FromNow(int):
    """A claim time in seconds from when the token is forged: a time fixed at import goes
    stale in a long run (a `nbf` five minutes ahead is already valid ten minutes later)."""


def _resolved(changes: dict[str, Any]) -> dict[str, Any]:
    now = int(time.time())
    return {name: now + v if isinstance(v, FromNow) else v for name, v in changes.items()}


Forge = Callable[[SigningKey, dict[str, Any]], str]
ATTACKS: dict[str, tuple[Forge | None, dict[str, Any]]] = {
    "alg_none": (_alg_none, {}),
    "hs256_signed_with_the_public_key": (_hs256_with_public_key, {}),
    "tampered_payload": (_tampered, {}),
    "rs256_header_for_an_eddsa_kid": (_rs256_header_on_ed25519_key, {}),
    "another_key_under_a_known_kid": (_other_key_same_kid, {}),
    "unknown_kid": (_unknown_kid, {}),
    "no_kid": (_no_kid, {}),
    "expired": (None, {"iat": FromNow(-1200), "nbf": FromNow(-1200), "exp": FromNow(-600)}),
    "not_yet_valid": (None, {"nbf": FromNow(300), "exp": FromNow(900)}),
    "issued_in_the_future": (None, {"iat": FromNow(300), "nbf": FromNow(0), "exp": FromNow(900)}),
    "wrong_audience": (None, {"aud": "someone-else"}),
    "wrong_issuer": (None, {"iss": "https://evil.example"}),
    "lifetime_beyond_15_minutes": (None, {"exp": FromNow(3600)}),
    "missing_jti": (None, {"jti": None}),
    "missing_org": (None, {"org": None}),
    "unknown_role": (None, {"role": "superuser"}),
    "subject_not_a_uuid": (None, {"sub": "admin"}),
}


@pytest.mark.parametrize("attack", ATTACKS)
async def test_attacks_are_rejected(
    attack: str, verifier: TokenVerifier, key: SigningKey, settings: CoreSettings
) -> None:
    forge, changes = ATTACKS[attack]
    claims = claims_for(settings, **_resolved(changes))
    token = forge(key, claims) if forge else key.sign(claims)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x.y.z", "e30.e30.e30"])
async def test_garbage_is_rejected(verifier: TokenVerifier, key: SigningKey, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify(garbage)


async def test_hs_algorithms_cannot_be_configured() -> None:
    with pytest.raises(ValueError):
        AuthSettings.model_validate({"algorithms": ["HS256"]})
    with pytest.raises(ValueError):
        AuthSettings.model_validate({"algorithms": ["none"]})


def test_api_key_tokens_hold_only_their_subset_and_never_user_only_permissions() -> None:
    claims = AccessClaims.model_validate(
        {
            **claims_for(CoreSettings(), role="owner"),
            "kind": "api_key",
            "akid": str(uuid.uuid4()),
            "perms": ["documents:read", "members:manage", "not:a-permission"],
        }
    )
    principal = claims.principal()
    assert principal.kind is PrincipalKind.api_key
    assert principal.permissions == {Permission.documents_read}
    assert principal.id == f"api_key:{claims.akid}"


class WithdrawableKeys:
    """The JWKS key source, from which a test can withdraw a key."""

    def __init__(self, inner: JwksKeySource) -> None:
        self.inner = inner
        self.withdrawn: set[str] = set()

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return None if kid in self.withdrawn else await self.inner.get_key(kid)


def _remembering(verifier: TokenVerifier, **changes: Any) -> tuple[TokenVerifier, WithdrawableKeys]:
    assert isinstance(verifier.keys, JwksKeySource)
    keys = WithdrawableKeys(verifier.keys)
    config = verifier.config.model_copy(update=changes)
    return TokenVerifier(keys, issuer=verifier.issuer, config=config), keys


async def test_a_verified_token_is_not_checked_again_until_the_cache_time(
    verifier: TokenVerifier, key: SigningKey, settings: CoreSettings
) -> None:
    remembering, _ = _remembering(verifier, verified_cache_seconds=0.5)
    token = key.sign(claims_for(settings))
    first = await remembering.verify(token)
    # Checked again, the token would now fail (another issuer expected); remembered, not.
    remembering.issuer = "https://elsewhere.example"
    assert await remembering.verify(token) == first
    with pytest.raises(InvalidToken):  # another token is checked
        await remembering.verify(key.sign(claims_for(settings)))
    time.sleep(0.6)
    with pytest.raises(InvalidToken):
        await remembering.verify(token)


async def test_a_remembered_token_is_refused_once_it_expires(
    verifier: TokenVerifier, key: SigningKey, settings: CoreSettings
) -> None:
    remembering, _ = _remembering(verifier, verified_cache_seconds=60, leeway_seconds=0)
    now = int(time.time())
    token = key.sign(claims_for(settings, iat=now - 60, nbf=now - 60, exp=now + 1))
    await remembering.verify(token)
    await remembering.verify(token)
    time.sleep(max(0.0, now + 1.05 - time.time()))
    with pytest.raises(InvalidToken):
        await remembering.verify(token)


async def test_a_remembered_token_is_refused_once_its_key_is_withdrawn(
    verifier: TokenVerifier, key: SigningKey, settings: CoreSettings
) -> None:
    remembering, keys = _remembering(verifier, verified_cache_seconds=60)
    token = key.sign(claims_for(settings))
    await remembering.verify(token)
    keys.withdrawn.add(key.kid)
    with pytest.raises(InvalidToken):
        await remembering.verify(token)


async def test_with_no_cache_time_every_request_is_checked(
    verifier: TokenVerifier, key: SigningKey, settings: CoreSettings
) -> None:
    remembering, _ = _remembering(verifier, verified_cache_seconds=0)
    token = key.sign(claims_for(settings))
    await remembering.verify(token)
    remembering.issuer = "https://elsewhere.example"
    with pytest.raises(InvalidToken):
        await remembering.verify(token)
