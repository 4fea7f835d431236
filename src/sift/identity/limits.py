"""Rate limits of identity's endpoints, read from the app's `IdentitySettings`.

SignupLimit = Annotated[None, Depends(ConfiguredLimit("identity.signup", "signup_limit"))]

Sign-in is not limited here: only its failures count, in `accounts/throttle.py`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sift.core.auth import Principal
from sift.core.ratelimit import KeyFunc, RateLimit, by_ip, by_principal
from sift.identity.web import identity_context


class ConfiguredLimit:
    """`RateLimit` whose rule is the setting `setting` of the app's identity settings."""

    def __init__(self, name: str, setting: str, *, key: KeyFunc = by_ip) -> None:
        self.name = name
        self.setting = setting
        self.key = key
        self._limits: dict[str, RateLimit] = {}

    async def __call__(self, request: Request) -> None:
        rule: str = getattr(identity_context(request).config, self.setting)
        limit = self._limits.get(rule)
        if limit is None:
            limit = self._limits[rule] = RateLimit(self.name, rule, key=self.key)
        await limit(request)


def by_organization(request: Request) -> str:
    """Key: the principal's current organization. Declare the limit after the principal."""
    principal: Principal = request.state.principal
    return f"org:{principal.org_id}"


SignupLimit = Annotated[None, Depends(ConfiguredLimit("identity.signup", "signup_limit"))]
ForgotLimit = Annotated[None, Depends(ConfiguredLimit("identity.forgot", "forgot_limit_per_ip"))]
ResetLimit = Annotated[None, Depends(ConfiguredLimit("identity.reset", "reset_limit"))]
VerifyLimit = Annotated[None, Depends(ConfiguredLimit("identity.verify", "verify_limit"))]
RefreshLimit = Annotated[None, Depends(ConfiguredLimit("identity.refresh", "refresh_limit"))]
# Declared after the principal, so that their keys find it.
PasswordChangeLimit = Annotated[
    None,
    Depends(ConfiguredLimit("identity.password_change", "password_change_limit", key=by_principal)),
]
InviterLimit = Annotated[
    None,
    Depends(
        ConfiguredLimit("identity.invite_inviter", "invitation_limit_per_inviter", key=by_principal)
    ),
]
OrgInvitationLimit = Annotated[
    None,
    Depends(
        ConfiguredLimit("identity.invite.org", "invitation_limit_per_org", key=by_organization)
    ),
]
