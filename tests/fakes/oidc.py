"""Fake sign-in providers on 127.0.0.1: an OpenID Connect issuer and a GitHub-like server.

They speak the real protocol: discovery, JWKS (an RS256 key made for the test), an
authorize endpoint that approves at once (or denies) and redirects back with a code, a
token endpoint that checks client authentication and the PKCE verifier and signs an ID
token carrying the nonce, UserInfo; GitHub's /login/oauth/* and /user, /user/emails.
Knobs on the instance make them misbehave the way a test needs.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "sift-test-client"
CLIENT_SECRET = "sift-test-secret"


def rsa_key(kid: str = "fake-key-1") -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


@dataclass
class Person:
    """Who signs in at the fake provider."""

    subject: str = "person-1"
    email: str | None = "ada@example.com"
    email_verified: bool = True
    name: str = "Ada Lovelace"
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None


class FakeProvider:
    """Base: a threaded HTTP server whose handler calls `route`."""

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.person = Person()
        self.deny = False
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Person] = {}
        self.requests: list[tuple[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @contextmanager
    def running(self) -> Iterator[FakeProvider]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        self.requests.append((method, parts.path))
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        form: dict[str, str] = {}
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            body = handler.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
        status, headers, payload = self.route(method, parts.path, query, form, handler.headers)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        handler.send_response(status)
        if not isinstance(payload, bytes):
            handler.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def route(
        self, method: str, path: str, query: dict[str, str], form: dict[str, str], headers: Any
    ) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError

    # The shared authorization-code machinery.

    def authorize(self, query: dict[str, str], *, oidc: bool) -> tuple[int, dict[str, str], Any]:
        redirect_uri = query.get("redirect_uri", "")
        valid = (
            query.get("client_id") == self.client_id
            and query.get("response_type", "code") == "code"
            and query.get("code_challenge_method") == "S256"
            and query.get("code_challenge")
            and query.get("state")
            and (not oidc or "openid" in query.get("scope", "").split())
        )
        if not valid or not redirect_uri:
            return 400, {}, {"error": "invalid_request"}
        answer: dict[str, str] = {"state": query["state"]}
        if self.deny:
            answer["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            self.grants[code] = Grant(
                self.client_id, redirect_uri, query["code_challenge"], query.get("nonce")
            )
            answer["code"] = code
        return 302, {"Location": f"{redirect_uri}?{urlencode(answer)}"}, b""

    def redeem(
        self, form: dict[str, str], headers: Any
    ) -> tuple[Grant | None, dict[str, Any] | None]:
        """The grant of a valid token request, or the error answer."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        authorization = headers.get("Authorization", "")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        self.token_requests.append(dict(form))
        if client_id != self.client_id or secret != self.client_secret:
            return None, {"error": "invalid_client"}
        grant = self.grants.pop(form.get("code", ""), None)  # a code works once
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant.redirect_uri
        ):
            return None, {"error": "invalid_grant"}
        if not compare_s256_code_challenge(form.get("code_verifier", ""), grant.challenge):
            return None, {"error": "invalid_grant", "error_description": "PKCE verifier"}
        return grant, None

    def bearer(self, headers: Any) -> Person | None:
        authorization = headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        return self.tokens.get(token) if scheme.lower() in ("bearer", "token") else None


class FakeOidcProvider(FakeProvider):
    """An OpenID Connect issuer at its URL."""

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        super().__init__(client_id, client_secret)
        self.key = rsa_key()
        # Knobs: sign with another key, put another nonce or audience in the ID token.
        self.signing_key: RSAKey | None = None
        self.nonce_override: str | None = None
        self.audience_override: str | None = None
        self.issuer_override: str | None = None
        self.id_token_in_answer = True
        # Like some issuers: the ID token has only `sub`; the rest is at UserInfo.
        self.userinfo_only = False

    def route(
        self, method: str, path: str, query: dict[str, str], form: dict[str, str], headers: Any
    ) -> tuple[int, dict[str, str], Any]:
        if method == "GET" and path == "/.well-known/openid-configuration":
            return 200, {}, self.discovery()
        if method == "GET" and path == "/jwks":
            return 200, {}, {"keys": [self.key.as_dict(private=False)]}
        if method == "GET" and path == "/authorize":
            return self.authorize(query, oidc=True)
        if method == "POST" and path == "/token":
            return self.token(form, headers)
        if method == "GET" and path == "/userinfo":
            person = self.bearer(headers)
            if person is None:
                return 401, {}, {"error": "invalid_token"}
            return 200, {}, self.standard_claims(person)
        return 404, {}, {"error": "not_found"}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def standard_claims(self, person: Person) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": person.subject, "name": person.name, **person.claims}
        if person.email is not None:
            claims["email"] = person.email
            claims["email_verified"] = person.email_verified
        return claims

    def token(self, form: dict[str, str], headers: Any) -> tuple[int, dict[str, str], Any]:
        grant, error = self.redeem(form, headers)
        if grant is None:
            return 400, {}, error
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = self.person
        now = int(time.time())
        claims = {
            **({"sub": self.person.subject} if self.userinfo_only else {}),
            **({} if self.userinfo_only else self.standard_claims(self.person)),
            "iss": self.issuer_override or self.url,
            "aud": self.audience_override or self.client_id,
            "iat": now,
            "exp": now + 300,
        }
        nonce = self.nonce_override or grant.nonce
        if nonce is not None:
            claims["nonce"] = nonce
        key = self.signing_key or self.key
        id_token = jwt.encode({"alg": "RS256", "kid": key.kid or ""}, claims, key)
        answer = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300}
        if self.id_token_in_answer:
            answer["id_token"] = id_token
        return 200, {"Cache-Control": "no-store"}, answer


@dataclass
class GitHubEmail:
    email: str
    primary: bool = True
    verified: bool = True


class FakeGitHub(FakeProvider):
    """GitHub's OAuth app endpoints and the two API calls sign-in needs, on one server."""

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        super().__init__(client_id, client_secret)
        self.user: dict[str, Any] = {"id": 583231, "login": "octocat", "name": "The Octocat"}
        self.emails = [
            GitHubEmail("octo-old@example.com", primary=False, verified=True),
            GitHubEmail("octocat@example.com"),
        ]

    def route(
        self, method: str, path: str, query: dict[str, str], form: dict[str, str], headers: Any
    ) -> tuple[int, dict[str, str], Any]:
        if method == "GET" and path == "/login/oauth/authorize":
            return self.authorize(query, oidc=False)
        if method == "POST" and path == "/login/oauth/access_token":
            grant, error = self.redeem(form, headers)
            if grant is None:
                return 200, {}, error  # GitHub answers errors with 200
            access_token = "gho_" + secrets.token_urlsafe(24)
            self.tokens[access_token] = self.person
            return 200, {}, {"access_token": access_token, "token_type": "bearer", "scope": ""}
        if method == "GET" and path in ("/user", "/user/emails"):
            if self.bearer(headers) is None:
                return 401, {}, {"message": "Bad credentials"}
            if path == "/user":
                return 200, {}, self.user
            return 200, {}, [e.__dict__ | {"visibility": None} for e in self.emails]
        return 404, {}, {"message": "Not Found"}
