"""Sign-in providers as configuration (`SIFT_IDENTITY_OAUTH`, a JSON object).

`google` and `github` need only a client ID and secret; any other name is a generic
OpenID Connect issuer found by discovery. Endpoint base URLs can be overridden (GitHub
Enterprise, a local fake in tests).
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from sift.core.auth.permissions import Role

PROVIDER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
GOOGLE_ISSUER = "https://accounts.google.com"
OIDC_SCOPES = ("openid", "email", "profile")
GITHUB_SCOPES = ("read:user", "user:email")
# Asymmetric signatures only: an HMAC ID token would be keyed with our client secret.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")


class OAuthProvider(BaseModel):
    """One sign-in provider: an OpenID Connect issuer, or GitHub's OAuth 2.0."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["oidc", "github"] = "oidc"
    display_name: str | None = None
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    scopes: tuple[str, ...] = ()
    token_auth_method: Literal["client_secret_basic", "client_secret_post"] = (
        "client_secret_basic"  # noqa: S105 - a method name
    )
    # OIDC: the issuer, whose `/.well-known/openid-configuration` names every endpoint.
    issuer: str | None = None
    id_token_algorithms: tuple[str, ...] = ID_TOKEN_ALGORITHMS
    # GitHub: the web and API bases (GitHub Enterprise: https://HOST and https://HOST/api/v3).
    web_url: str = "https://github.com"
    api_url: str = "https://api.github.com"
    # Optional claim -> role mapping: a value of `role_claim` (string or list, e.g. the
    # IdP's `groups`) in `role_mapping` makes the user a member of `organization_id`
    # with that role (the highest one when several match), set again at each sign-in.
    role_claim: str | None = None
    role_mapping: dict[str, Role] = {}
    organization_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _complete(self) -> OAuthProvider:
        if self.kind == "oidc" and not self.issuer:
            raise ValueError("an OpenID Connect provider needs its `issuer` URL")
        if self.role_mapping and (self.role_claim is None or self.organization_id is None):
            raise ValueError("`role_mapping` needs `role_claim` and `organization_id`")
        if Role.owner in self.role_mapping.values():
            raise ValueError("an identity provider cannot make owners; map to admin at most")
        return self

    @property
    def requested_scopes(self) -> tuple[str, ...]:
        if self.scopes:
            return self.scopes
        return GITHUB_SCOPES if self.kind == "github" else OIDC_SCOPES


class OAuthSettings(BaseModel):
    """Sign-in providers by name, and how the browser flow behaves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    providers: dict[str, OAuthProvider] = {}
    # How long a started sign-in may take (state, nonce and PKCE verifier live that long).
    state_seconds: int = Field(default=600, ge=60, le=3600)
    # Where the browser lands: the web app calls /api/auth/refresh there.
    success_path: str = "/"
    error_path: str = "/sign-in"
    metadata_cache_seconds: float = Field(default=3600, gt=0)
    jwks_refetch_min_seconds: float = Field(default=60, ge=0)
    leeway_seconds: int = Field(default=60, ge=0, le=300)

    @model_validator(mode="before")
    @classmethod
    def _builtin_defaults(cls, data: Any) -> Any:
        """`google` and `github` know their kind and endpoints unless told otherwise."""
        if not isinstance(data, dict) or not isinstance(data.get("providers"), dict):
            return data
        providers: dict[str, Any] = {}
        for name, provider in data["providers"].items():
            if not PROVIDER_NAME.match(str(name)):
                raise ValueError(f"provider name {name!r}: use a-z, 0-9 and '-'")
            if isinstance(provider, dict):
                provider = dict(provider)
                if name == "github":
                    provider.setdefault("kind", "github")
                    provider.setdefault("token_auth_method", "client_secret_post")
                elif name == "google":
                    provider.setdefault("issuer", GOOGLE_ISSUER)
            providers[name] = provider
        return {**data, "providers": providers}
