"""The seam where second factors (TOTP, SMS codes) plug into sign-in.

A factor module registers itself with `register_second_factor`; `login` then asks every
registered factor whether the user has it enabled, and accepts the password only with a
valid `mfa_code` for one of them. With none registered, a password is enough. A factor
that bundles several methods (TOTP, SMS, recovery codes) may name them with `methods`.
`MfaRequired` is a recorded failure: what a factor noted (a wrong code counted) commits.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.errors import Unauthorized
from sift.identity.models import User
from sift.identity.web import RecordedFailure


class SecondFactor(Protocol):
    name: str

    async def enabled_for(self, session: AsyncSession, user: User) -> bool: ...

    async def verify(self, session: AsyncSession, user: User, code: str) -> bool: ...


class MfaRequired(RecordedFailure, Unauthorized):
    code = "mfa-required"
    title = "Second factor required"

    def __init__(self, factors: list[str]) -> None:
        super().__init__(
            "Enter the code of your second factor.", mfa_required=True, factors=factors
        )


_factors: list[SecondFactor] = []


def register_second_factor(factor: SecondFactor) -> None:
    _factors.append(factor)


def unregister_second_factor(factor: SecondFactor) -> None:
    _factors.remove(factor)


async def check_second_factor(session: AsyncSession, user: User, code: str | None) -> None:
    enabled = [factor for factor in _factors if await factor.enabled_for(session, user)]
    if not enabled:
        return
    for factor in enabled:
        if code and await factor.verify(session, user, code):
            return
    names: list[str] = []
    for factor in enabled:
        methods = getattr(factor, "methods", None)
        names.extend(await methods(session, user) if methods else [factor.name])
    raise MfaRequired(names)
