"""Talking to providers: discovery, JWKS, the code exchange, ID tokens, GitHub's API.

Built from Authlib's OAuth 2.0 / OIDC pieces (grant URI, token request, client
authentication, PKCE, ID-token claims) over the platform's HTTP client, with the keys
of the ID token checked by joserfc (Authlib's JOSE library).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from sift.core.http import create_http_client
from sift.identity.oauth.config import OAuthProvider, OAuthSettings
from sift.identity.oauth.exceptions import OAuthFailed

log = structlog.get_logger()

DISCOVERY_PATH = "/.well-known/openid-configuration"
JSON = "application/json"


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says signed in."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Metadata:
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str | None = None
    jwks_uri: str | None = None
    issuer: str | None = None


@dataclass
class _Cached:
    metadata: Metadata
    fetched_at: float
    keys: KeySet | None = None
    keys_fetched_at: float = 0.0


class Provider:
    """One configured provider and the HTTP calls of its flow."""

    def __init__(
        self, name: str, config: OAuthProvider, settings: OAuthSettings, http: httpx.AsyncClient
    ) -> None:
        self.name = name
        self.config = config
        self.settings = settings
        self.http = http
        self._cache: _Cached | None = None

    @property
    def is_oidc(self) -> bool:
        return self.config.kind == "oidc"

    async def authorization_url(
        self, *, redirect_uri: str, state: str, code_verifier: str, nonce: str | None
    ) -> str:
        metadata = await self.metadata()
        url: str = prepare_grant_uri(
            metadata.authorization_endpoint,
            self.config.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=list(self.config.requested_scopes),
            state=state,
            code_challenge=create_s256_code_challenge(code_verifier),
            code_challenge_method="S256",
            nonce=nonce,
        )
        return url

    async def metadata(self) -> Metadata:
        cached = self._cache
        if cached and time.monotonic() - cached.fetched_at < self.settings.metadata_cache_seconds:
            return cached.metadata
        metadata = await self._fetch_metadata()
        self._cache = _Cached(metadata, time.monotonic())
        return metadata

    async def _fetch_metadata(self) -> Metadata:
        if not self.is_oidc:
            web = self.config.web_url.rstrip("/")
            return Metadata(f"{web}/login/oauth/authorize", f"{web}/login/oauth/access_token")
        issuer = (self.config.issuer or "").rstrip("/")
        document = await self._get_json(issuer + DISCOVERY_PATH, failure="provider_unavailable")
        # OIDC Discovery 4.3: the document must name exactly the issuer we asked.
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise OAuthFailed(
                "provider_unavailable", "The discovery document names another issuer."
            )
        try:
            return Metadata(
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                userinfo_endpoint=document.get("userinfo_endpoint"),
                jwks_uri=str(document["jwks_uri"]),
                issuer=str(document["issuer"]),
            )
        except KeyError as exc:
            raise OAuthFailed("provider_unavailable", f"Discovery lacks {exc}.") from None

    async def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        """The token response for `code`, sent with the PKCE verifier and client auth."""
        metadata = await self.metadata()
        body = prepare_token_request(
            "authorization_code", code=code, redirect_uri=redirect_uri, code_verifier=code_verifier
        )
        headers = {
            "Accept": JSON,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        auth = ClientAuth(
            self.config.client_id,
            self.config.client_secret.get_secret_value(),
            self.config.token_auth_method,
        )
        url, headers, body = auth.prepare("POST", metadata.token_endpoint, headers, body)
        try:
            response = await self.http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("oauth.token_unreachable", provider=self.name, error=type(exc).__name__)
            raise OAuthFailed("token_exchange_failed") from None
        token = _json_object(response)
        if response.status_code != 200 or "error" in token or "access_token" not in token:
            log.warning(
                "oauth.token_refused",
                provider=self.name,
                status=response.status_code,
                error=str(token.get("error", ""))[:64],
            )
            raise OAuthFailed("token_exchange_failed")
        return token

    async def identity(self, token: dict[str, Any], *, nonce: str | None) -> ProviderIdentity:
        if self.is_oidc:
            return await self._oidc_identity(token, nonce=nonce)
        return await self._github_identity(str(token["access_token"]))

    async def _oidc_identity(self, token: dict[str, Any], *, nonce: str | None) -> ProviderIdentity:
        raw = token.get("id_token")
        if not isinstance(raw, str) or not nonce:
            raise OAuthFailed("invalid_id_token", "The provider sent no ID token.")
        claims = await self.verify_id_token(
            raw, nonce=nonce, access_token=str(token["access_token"])
        )
        if "email" not in claims and (await self.metadata()).userinfo_endpoint:
            claims = {**await self._userinfo(str(token["access_token"]), claims["sub"]), **claims}
        email = claims.get("email")
        return ProviderIdentity(
            subject=str(claims["sub"]),
            email=str(email) if isinstance(email, str) else None,
            # Only a literal true counts (some issuers send the string "true").
            email_verified=claims.get("email_verified") in (True, "true"),
            name=_text(claims.get("name")),
            claims=claims,
        )

    async def verify_id_token(
        self, raw: str, *, nonce: str, access_token: str | None = None
    ) -> dict[str, Any]:
        """Signature against the issuer's JWKS; iss, aud, azp, exp, iat, nonce, at_hash."""
        metadata = await self.metadata()
        try:
            decoded = jwt.decode(
                raw, await self._keys(raw), algorithms=list(self.config.id_token_algorithms)
            )
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                options={
                    "iss": {"essential": True, "value": metadata.issuer or ""},
                    "aud": {"essential": True, "value": self.config.client_id},
                },
                params={
                    "nonce": nonce,
                    "client_id": self.config.client_id,
                    "access_token": access_token,
                },
            )
            claims.validate(leeway=self.settings.leeway_seconds)
        except (JoseError, ValueError) as exc:
            log.warning("oauth.id_token_refused", provider=self.name, error=type(exc).__name__)
            raise OAuthFailed("invalid_id_token") from None
        return dict(claims)

    async def _keys(self, raw: str) -> KeySet:
        """The issuer's JWKS; fetched again (rate-limited) for a `kid` it does not hold."""
        await self.metadata()
        cached = self._cache
        assert cached is not None and cached.metadata.jwks_uri
        try:
            kid = jws.extract_compact(raw.encode()).protected.get("kid")
        except JoseError:
            raise OAuthFailed("invalid_id_token") from None
        now = time.monotonic()
        stale = now - cached.keys_fetched_at >= self.settings.metadata_cache_seconds
        unknown = cached.keys is not None and kid is not None and not _has_kid(cached.keys, kid)
        may_refetch = now - cached.keys_fetched_at >= self.settings.jwks_refetch_min_seconds
        if cached.keys is None or stale or (unknown and may_refetch):
            document = await self._get_json(cached.metadata.jwks_uri, failure="invalid_id_token")
            try:
                cached.keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError):
                raise OAuthFailed("invalid_id_token", "The provider's JWKS is invalid.") from None
            cached.keys_fetched_at = now
        return cached.keys

    async def _userinfo(self, access_token: str, subject: str) -> dict[str, Any]:
        metadata = await self.metadata()
        assert metadata.userinfo_endpoint
        info = await self._get_json(
            metadata.userinfo_endpoint, failure="provider_unavailable", token=access_token
        )
        # OIDC Core 5.3.2: the UserInfo answer is only about the ID token's subject.
        if info.get("sub") != subject:
            raise OAuthFailed("invalid_id_token", "UserInfo is about another subject.")
        return info

    async def _github_identity(self, access_token: str) -> ProviderIdentity:
        api = self.config.api_url.rstrip("/")
        user = await self._get_json(
            f"{api}/user", failure="provider_unavailable", token=access_token
        )
        emails = await self._get_json_list(f"{api}/user/emails", token=access_token)
        primary = next((e for e in emails if isinstance(e, dict) and e.get("primary")), None)
        if "id" not in user:
            raise OAuthFailed("provider_unavailable", "GitHub sent no user ID.")
        return ProviderIdentity(
            subject=str(user["id"]),
            email=str(primary["email"]) if primary and primary.get("email") else None,
            email_verified=bool(primary and primary.get("verified") is True),
            name=_text(user.get("name")) or _text(user.get("login")),
            claims={"login": user.get("login")},
        )

    async def _get_json(
        self, url: str, *, failure: str, token: str | None = None
    ) -> dict[str, Any]:
        response = await self._get(url, failure=failure, token=token)
        document = _json_object(response)
        if response.status_code != 200 or not document:
            log.warning("oauth.provider_answer", provider=self.name, status=response.status_code)
            raise OAuthFailed(failure)
        return document

    async def _get_json_list(self, url: str, *, token: str) -> list[Any]:
        response = await self._get(url, failure="provider_unavailable", token=token)
        try:
            document = response.json()
        except ValueError:
            document = None
        if response.status_code != 200 or not isinstance(document, list):
            raise OAuthFailed("provider_unavailable")
        return document

    async def _get(self, url: str, *, failure: str, token: str | None) -> httpx.Response:
        headers = {"Accept": JSON}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return await self.http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("oauth.provider_unreachable", provider=self.name, error=type(exc).__name__)
            raise OAuthFailed(failure) from None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        document = response.json()
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)


def _text(value: Any) -> str | None:
    return value.strip()[:200] or None if isinstance(value, str) else None


class ProviderRegistry:
    """The configured providers of one app, sharing one HTTP client."""

    def __init__(self, settings: OAuthSettings) -> None:
        self.settings = settings
        self.http = create_http_client(timeout=10.0, retries=1)
        self.providers = {
            name: Provider(name, config, settings, self.http)
            for name, config in settings.providers.items()
        }

    def get(self, name: str) -> Provider | None:
        return self.providers.get(name)

    async def aclose(self) -> None:
        await self.http.aclose()
