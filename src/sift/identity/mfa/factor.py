"""MFA at sign-in: one second factor (TOTP, SMS code or recovery code) bound to an app.

Installed for the app's lifetime (its lifespan), so that it verifies with the app's secret
and counts attempts in the app's Redis: a sliding window per account (`verify_limit`),
which slows guessing without ever locking the owner out for longer than the window.
"""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from limits import parse_many
from limits.errors import StorageError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.errors import RateLimited
from sift.core.ratelimit import RateLimiting
from sift.identity.accounts.second_factor import (
    register_second_factor,
    unregister_second_factor,
)
from sift.identity.mfa.config import MfaConfig, TwilioSettings
from sift.identity.mfa.service import mfa_service
from sift.identity.mfa.sms import SmsSender
from sift.identity.models import User
from sift.identity.web import IdentityContext

log = structlog.get_logger()


def mfa_config(app: FastAPI) -> MfaConfig:
    """The app's MFA settings (`app.state.mfa_config`, from the environment by default)."""
    config: MfaConfig | None = getattr(app.state, "mfa_config", None)
    if config is None:
        config = app.state.mfa_config = MfaConfig()
    return config


def sms_sender(app: FastAPI) -> SmsSender:
    """Texts through Twilio as `app.state.twilio` (`SIFT_TWILIO_*` by default) says."""
    twilio: TwilioSettings | None = getattr(app.state, "twilio", None)
    if twilio is None:
        twilio = app.state.twilio = TwilioSettings()
    return SmsSender(twilio)


async def request_mfa_config(request: Request) -> MfaConfig:
    return mfa_config(request.app)


async def request_sms_sender(request: Request) -> SmsSender:
    return sms_sender(request.app)


class MfaFactor:
    name = "mfa"

    def __init__(self, app: FastAPI, context: IdentityContext) -> None:
        self.app = app
        self.context = context

    async def methods(self, session: AsyncSession, user: User) -> list[str]:
        return await mfa_service.methods(session, user)

    async def enabled_for(self, session: AsyncSession, user: User) -> bool:
        return bool(await mfa_service.methods(session, user))

    async def verify(self, session: AsyncSession, user: User, code: str) -> bool:
        config = mfa_config(self.app)
        await self._count_attempt(user, config)
        return await mfa_service.verify(session, self.context, config, user, code)

    async def _count_attempt(self, user: User, config: MfaConfig) -> None:
        limiting = RateLimiting.of(self.app)
        if not limiting.config.enabled:
            return
        try:
            retry_after = await limiting.hit(
                "identity.mfa.verify", f"user:{user.id}", parse_many(config.verify_limit)
            )
        except (StorageError, OSError, TimeoutError) as exc:
            log.warning("identity.mfa_throttle_unavailable", error=type(exc).__name__)
            return
        if retry_after is not None:
            raise RateLimited(retry_after, "Too many codes tried; wait before the next one.")


def install(app: FastAPI, context: IdentityContext) -> MfaFactor:
    """Registers the app's second factor for as long as the app runs (see `uninstall`)."""
    factor = MfaFactor(app, context)
    register_second_factor(factor)
    app.state.mfa_factor = factor
    return factor


def uninstall(app: FastAPI) -> None:
    factor: MfaFactor | None = getattr(app.state, "mfa_factor", None)
    if factor is not None:
        unregister_second_factor(factor)
        app.state.mfa_factor = None
