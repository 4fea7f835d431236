"""Rate limits of identity's endpoints, read from the app's `IdentitySettings`.

SignupLimit = Annotated[None, Depends(_limit("identity.signup", "signup_limit"))]

Sign-in is not limited here: only its failures count, in `accounts/throttle.py`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sift.core.ratelimit import ConfiguredLimit, KeyFunc, by_ip, by_organization, by_principal
from sift.identity.config import IdentitySettings
from sift.identity.web import context_of


def _identity_config(request: Request) -> IdentitySettings:
    return context_of(request).config


def _limit(name: str, setting: str, key: KeyFunc = by_ip) -> ConfiguredLimit:
    return ConfiguredLimit(name, setting, settings_of=_identity_config, key=key)


SignupLimit = Annotated[None, Depends(_limit("identity.signup", "signup_limit"))]
ForgotLimit = Annotated[None, Depends(_limit("identity.forgot", "forgot_limit_per_ip"))]
ResetLimit = Annotated[None, Depends(_limit("identity.reset", "reset_limit"))]
VerifyLimit = Annotated[None, Depends(_limit("identity.verify", "verify_limit"))]
RefreshLimit = Annotated[None, Depends(_limit("identity.refresh", "refresh_limit"))]
OAuthLimit = Annotated[None, Depends(_limit("identity.oauth", "oauth_limit_per_ip"))]
# Declared after the principal, so that their keys find it.
PasswordChangeLimit = Annotated[
    None,
    Depends(_limit("identity.password_change", "password_change_limit", key=by_principal)),
]
InviterLimit = Annotated[
    None,
    Depends(_limit("identity.invite_inviter", "invitation_limit_per_inviter", key=by_principal)),
]
OrgInvitationLimit = Annotated[
    None,
    Depends(_limit("identity.invite.org", "invitation_limit_per_org", key=by_organization)),
]
