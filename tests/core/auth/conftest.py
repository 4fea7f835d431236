"""Fixtures of the auth tests: signing keys, a JWKS served over real HTTP, token minting."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.runtime.embedded_postgres import free_port

AUDIENCE = "sift"


@dataclass
class SigningKey:
    kid: str
    private: Ed25519PrivateKey | RSAPrivateKey
    algorithm: str

    @property
    def jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        public = json.loads(algorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode(
            claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid, **header}
        )


def ed25519_key(kid: str | None = None) -> SigningKey:
    return SigningKey(kid or uuid.uuid4().hex[:16], Ed25519PrivateKey.generate(), "EdDSA")


def rsa_key(kid: str | None = None) -> SigningKey:
    private = generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid or uuid.uuid4().hex[:16], private, "RS256")


def claims_for(settings: CoreSettings, *, role: str = "editor", **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "org": str(uuid.uuid4()),
        "role": role,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "iss": settings.public_url,
        "aud": AUDIENCE,
        "sid": str(uuid.uuid4()),
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


@dataclass
class JwksServer:
    """identity's JWKS endpoint stand-in: serves whatever keys the test publishes."""

    url: str = ""
    keys: list[SigningKey] = field(default_factory=list)
    requests: int = 0

    def publish(self, *keys: SigningKey) -> None:
        self.keys = list(keys)


@pytest.fixture
async def jwks_server() -> AsyncIterator[JwksServer]:
    state = JwksServer()

    async def jwks(request: Request) -> JSONResponse:
        state.requests += 1
        return JSONResponse({"keys": [key.jwk for key in state.keys]})

    port = free_port()
    app = Starlette(routes=[Route("/.well-known/jwks.json", jwks)])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    state.url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
    try:
        yield state
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def auth_config(jwks_server: JwksServer) -> AuthSettings:
    return AuthSettings(jwks_url=jwks_server.url, jwks_refetch_min_seconds=30)
