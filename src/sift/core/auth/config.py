"""Settings of token verification (environment variables `SIFT_AUTH_*`), shared by services."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import CoreSettings, SiftSettings

Algorithm = Literal["EdDSA", "RS256"]
MAX_ACCESS_TOKEN_SECONDS = 15 * 60
MAX_LEEWAY_SECONDS = 60


class AuthSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_AUTH_")

    # Where every service fetches identity's public keys (its internal address).
    jwks_url: str = "http://127.0.0.1:8101/.well-known/jwks.json"
    issuer: str | None = None  # default: the public URL
    audience: str = "sift"
    # Asymmetric only: `none` and HS* can never be configured.
    algorithms: list[Algorithm] = ["EdDSA", "RS256"]
    access_token_seconds: int = Field(default=600, ge=60, le=MAX_ACCESS_TOKEN_SECONDS)
    leeway_seconds: int = Field(default=5, ge=0, le=MAX_LEEWAY_SECONDS)  # clock skew between hosts
    jwks_cache_seconds: float = Field(default=300, gt=0)
    # A token with an unknown `kid` makes the JWKS be fetched again at most this often.
    jwks_refetch_min_seconds: float = Field(default=30, ge=0)
    # A token verified once is taken as verified again for this long (never past its
    # `exp`): a client sends the same token with every request for minutes, and checking
    # its signature and claims each time was a tenth of a small read's CPU. Revocation is
    # still checked on every request; a key withdrawn from the JWKS stops its tokens after
    # this delay at most. 0 verifies every time.
    verified_cache_seconds: float = Field(default=60, ge=0, le=300)
    # The revocation list (Redis): a request waits at most this for it, then is refused
    # with 503, or let through when `revocation_fail_open` (see sift.core.auth.revocation).
    # Far above a round trip (under 1 ms), so that a busy host is not taken for a dead Redis.
    revocation_timeout_seconds: float = Field(default=1.0, gt=0)
    revocation_fail_open: bool = False

    def issuer_for(self, settings: CoreSettings) -> str:
        return (self.issuer or settings.public_url).rstrip("/")
