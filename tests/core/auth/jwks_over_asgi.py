"""A service app that verifies tokens against identity's real JWKS, reached in process."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.auth.jwks import JwksKeySource


def verify_with_identity(app: FastAPI, identity_app: FastAPI) -> Authenticator:
    """Installs on a started `app` the default authenticator, its JWKS fetched from
    `identity_app` over ASGI instead of the network."""
    settings = app.state.settings
    config = AuthSettings()
    keys = JwksKeySource(
        app.state.redis, settings, config, transport=httpx.ASGITransport(app=identity_app)
    )
    verifier = TokenVerifier(keys, issuer=config.issuer_for(settings), config=config)
    return Authenticator.install(app, Authenticator(verifier))
