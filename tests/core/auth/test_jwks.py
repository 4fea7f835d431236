"""The JWKS cache: per process, shared through Redis, refetched on unknown kid (bounded)."""

from __future__ import annotations

from redis.asyncio import Redis

from sift.core.auth.config import AuthSettings
from sift.core.auth.jwks import JwksKeySource, parse_jwks
from sift.core.config import CoreSettings
from tests.core.auth.conftest import JwksServer, ed25519_key, rsa_key


async def test_keys_are_fetched_once_then_served_from_the_process(
    jwks_server: JwksServer, redis: Redis, settings: CoreSettings, auth_config: AuthSettings
) -> None:
    key = ed25519_key()
    jwks_server.publish(key)
    source = JwksKeySource(redis, settings, auth_config)
    for _ in range(5):
        found = await source.get_key(key.kid)
        assert found is not None and found.algorithm_name == "EdDSA"
    assert jwks_server.requests == 1


async def test_another_process_reads_the_jwks_from_redis(
    jwks_server: JwksServer, redis: Redis, settings: CoreSettings, auth_config: AuthSettings
) -> None:
    key = ed25519_key()
    jwks_server.publish(key)
    assert await JwksKeySource(redis, settings, auth_config).get_key(key.kid) is not None
    second = JwksKeySource(redis, settings, auth_config)
    assert await second.get_key(key.kid) is not None
    assert (jwks_server.requests, second.fetches) == (1, 0)


async def test_an_unknown_kid_refetches_once_per_interval(
    jwks_server: JwksServer, redis: Redis, settings: CoreSettings, auth_config: AuthSettings
) -> None:
    old, new = ed25519_key(), rsa_key()
    jwks_server.publish(old)
    source = JwksKeySource(redis, settings, auth_config)
    assert await source.get_key(old.kid) is not None

    jwks_server.publish(old, new)  # identity rotated its key
    assert await source.get_key(new.kid) is not None
    assert jwks_server.requests == 2

    for _ in range(20):  # forged kids: no flood of requests to identity
        assert await source.get_key("forged-kid") is None
    other_process = JwksKeySource(redis, settings, auth_config)
    assert await other_process.get_key("forged-kid") is None
    assert jwks_server.requests == 2


async def test_a_refetch_interval_of_zero_refetches_every_time(
    jwks_server: JwksServer, redis: Redis, settings: CoreSettings
) -> None:
    config = AuthSettings(jwks_url=jwks_server.url, jwks_refetch_min_seconds=0)
    source = JwksKeySource(redis, settings, config)
    jwks_server.publish(ed25519_key())
    assert await source.get_key("missing") is None
    assert await source.get_key("missing") is None
    assert jwks_server.requests == 3  # the first load, then one per unknown kid


async def test_an_unreachable_identity_means_no_key_not_a_crash(
    redis: Redis, settings: CoreSettings
) -> None:
    config = AuthSettings(jwks_url="http://127.0.0.1:9/.well-known/jwks.json")
    assert await JwksKeySource(redis, settings, config).get_key("any") is None


def test_unusable_entries_are_skipped() -> None:
    good = ed25519_key()
    document = {
        "keys": [
            good.jwk,
            {**ed25519_key().jwk, "use": "enc"},
            {**ed25519_key().jwk, "alg": "HS256"},
            {"kty": "oct", "kid": "secret", "alg": "HS256", "k": "c2VjcmV0"},
            {"kid": "broken", "alg": "EdDSA", "kty": "OKP"},
            "not a key",
        ]
    }
    assert list(parse_jwks(document)) == [good.kid]
    assert parse_jwks(["not", "a", "jwks"]) == {}
