"""Settings of the identity service (environment variables `SIFT_IDENTITY_*`).

Token verification settings shared with every service (issuer, audience, access-token
lifetime) are `sift.core.auth.config.AuthSettings` (`SIFT_AUTH_*`).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings
from sift.identity.oauth.config import OAuthSettings


class IdentitySettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_IDENTITY_")

    port: int = 8101
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = (
        "/api/identity",
        "/api/auth",
        "/api/users",
        "/api/orgs",
        "/api/invitations",
        "/.well-known/jwks.json",
    )

    # Sessions: a refresh token lives `refresh_token_days` unused, a session at most
    # `session_max_days` however often it is refreshed.
    refresh_token_days: int = Field(default=14, ge=1)
    session_max_days: int = Field(default=30, ge=1)
    refresh_cookie_path: str = "/api/auth"
    cookie_secure: bool = True

    # Link tokens sent by e-mail.
    email_verification_hours: int = Field(default=48, ge=1)
    password_reset_minutes: int = Field(default=30, ge=5, le=24 * 60)
    invitation_days: int = Field(default=7, ge=1)
    # Pages of the web app that the links open (relative to the public URL).
    verify_email_path: str = "/verify-email"
    reset_password_path: str = "/reset-password"  # noqa: S105 - a page
    invitation_path: str = "/invitations"

    # Signing keys: a key signs for `key_rotation_days`; its successor is published
    # `key_publish_lead_seconds` before it signs, so every verifier's cache has it.
    key_rotation_days: int = Field(default=30, ge=1)
    key_publish_lead_seconds: int = Field(default=360, ge=0)
    key_cache_seconds: float = Field(default=30, gt=0)

    # Argon2id cost (RFC 9106 profile 2 by default); a change re-hashes at the next sign-in.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8192)
    argon2_parallelism: int = Field(default=4, ge=1)

    # Rate limits (the `limits` library's notation).
    # Wrong passwords only (see `accounts/throttle.py`): per source network and per address
    # from browsers without the account's device cookie, per device from those with one.
    login_limit_per_ip: str = "20/minute;200/hour"
    login_limit_per_account: str = "30/hour"
    login_limit_per_device: str = "30/hour"
    signup_limit: str = "5/minute;30/hour"
    forgot_limit_per_ip: str = "5/minute;30/hour"
    forgot_limit_per_account: str = "3/hour"
    reset_limit: str = "10/minute"
    refresh_limit: str = "60/minute"
    verify_limit: str = "10/minute"
    password_change_limit: str = "5/minute"  # noqa: S105 - a rate
    # Invitations sent, per inviter and per organization.
    invitation_limit_per_inviter: str = "10/minute;100/day"
    invitation_limit_per_org: str = "50/hour;300/day"

    # Progressive lockout: after `lockout_threshold` wrong passwords in a row an address
    # (for browsers without its device cookie) or a device is locked for
    # `lockout_base_seconds`, doubling per lockout up to the cap; a password reset lifts
    # it, and the owner's known browsers are never locked by failures from elsewhere.
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_base_seconds: int = Field(default=30, ge=1)
    lockout_max_seconds: int = Field(default=900, ge=1)
    lockout_memory_hours: int = Field(default=24, ge=1)
    # How long a device cookie (left by each sign-in and password reset) keeps a browser
    # trusted.
    device_cookie_days: int = Field(default=90, ge=1)

    # Social login and OIDC: `SIFT_IDENTITY_OAUTH='{"providers": {"google": {...}}}'`
    # (see docs/security.md); a secret alone can come from
    # `SIFT_IDENTITY_OAUTH__PROVIDERS__GOOGLE__CLIENT_SECRET`.
    oauth: OAuthSettings = Field(default_factory=OAuthSettings)
    oauth_limit_per_ip: str = "30/minute;300/hour"


@lru_cache
def get_identity_settings() -> IdentitySettings:
    return IdentitySettings()
