"""Provider configuration and the small pure parts of social login."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from sift.core.auth.permissions import Role
from sift.core.config import CoreSettings
from sift.identity.config import IdentitySettings
from sift.identity.oauth.config import GOOGLE_ISSUER, OAuthSettings
from sift.identity.oauth.exceptions import InvalidReturnTo
from sift.identity.oauth.service import mapped_role, safe_return_to, signup_method
from sift.identity.web import IdentityContext

SECRET = {"client_id": "id", "client_secret": "s3cr3t-value"}


def test_google_and_github_need_only_their_client() -> None:
    settings = OAuthSettings.model_validate({"providers": {"google": SECRET, "github": SECRET}})
    google, github = settings.providers["google"], settings.providers["github"]
    assert (google.kind, google.issuer) == ("oidc", GOOGLE_ISSUER)
    assert google.requested_scopes == ("openid", "email", "profile")
    assert (github.kind, github.token_auth_method) == ("github", "client_secret_post")
    assert github.requested_scopes == ("read:user", "user:email")
    assert "s3cr3t-value" not in repr(settings)


def test_the_environment_configures_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "SIFT_IDENTITY_OAUTH", '{"providers": {"google": {"client_id": "from-json"}}}'
    )
    monkeypatch.setenv("SIFT_IDENTITY_OAUTH__PROVIDERS__GOOGLE__CLIENT_SECRET", "s3cret")
    provider = IdentitySettings().oauth.providers["google"]
    assert provider.client_id == "from-json"
    assert provider.client_secret.get_secret_value() == "s3cret"


@pytest.mark.parametrize(
    "providers",
    [
        {"acme": SECRET},  # an OIDC provider without an issuer
        {"Bad Name": {**SECRET, "issuer": "https://idp.example"}},
        {"acme": {**SECRET, "issuer": "https://i.example", "role_mapping": {"a": "admin"}}},
        {
            "acme": {
                **SECRET,
                "issuer": "https://i.example",
                "role_claim": "groups",
                "role_mapping": {"boss": "owner"},
                "organization_id": str(uuid.uuid4()),
            }
        },
        {"google": {**SECRET, "surprise": True}},
    ],
)
def test_a_wrong_provider_configuration_fails_at_start(providers: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        OAuthSettings.model_validate({"providers": providers})


def test_the_highest_mapped_role_wins() -> None:
    mapping = {"readers": Role.viewer, "admins": Role.admin, "writers": Role.editor}
    assert mapped_role(mapping, ["readers", "admins", "other"]) is Role.admin
    assert mapped_role(mapping, "writers") is Role.editor
    assert mapped_role(mapping, ["other"]) is None
    assert mapped_role(mapping, None) is None
    assert mapped_role(mapping, {"admins": True}) is None


def test_the_signup_method_of_a_provider() -> None:
    assert [signup_method(name) for name in ("google", "github", "acme")] == [
        "google",
        "github",
        "oidc",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("/documents", "/documents"),
        ("/search?q=a%20b#top", "/search?q=a%20b#top"),
        ("https://localhost:8443", "/"),
        ("HTTPS://LOCALHOST:8443/x", "/x"),
    ],
)
def test_return_to_keeps_paths_of_the_site(
    base_settings: CoreSettings, value: str | None, expected: str | None
) -> None:
    context = IdentityContext(base_settings, IdentitySettings(), _auth())
    assert safe_return_to(context, value) == expected


@pytest.mark.parametrize(
    "value", ["http://localhost:8443/x", "https://localhost:8444/", "/a\\b", "/a\x00", "/" * 3000]
)
def test_return_to_refuses_everything_else(base_settings: CoreSettings, value: str) -> None:
    context = IdentityContext(base_settings, IdentitySettings(), _auth())
    with pytest.raises(InvalidReturnTo):
        safe_return_to(context, value)


def _auth() -> Any:
    from sift.core.auth.config import AuthSettings

    return AuthSettings()
