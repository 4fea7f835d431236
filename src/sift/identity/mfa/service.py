"""Second factors: TOTP setup and enabling, recovery codes, SMS codes, verification at sign-in.

Turning a factor on or off needs the password (setup asks for it; `enable` then proves the
authenticator works). Enabling any factor issues ten fresh recovery codes, shown once and
stored as keyed hashes. A TOTP code is accepted one step either side and never twice: the
last accepted step is stored, and only later steps pass (RFC 6238, section 5.2).
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import MfaDisabled, MfaEnabled, MfaMethod, RecoveryCodeUsed
from sift.core.auth.principal import Principal
from sift.core.db import ReadSession
from sift.identity.accounts.exceptions import WrongPassword
from sift.identity.accounts.passwords import verify_password
from sift.identity.accounts.service import account_service, password_hasher
from sift.identity.events import events
from sift.identity.mfa import codes
from sift.identity.mfa.config import MfaConfig
from sift.identity.mfa.exceptions import (
    InvalidMfaCode,
    InvalidSmsCode,
    MfaAlreadyEnabled,
    MfaNotSetUp,
    PhoneNotVerified,
)
from sift.identity.mfa.repository import mfa_repository, sms_code_repository
from sift.identity.mfa.sms import SmsSender
from sift.identity.models import MfaSettings, RecoveryCode, SmsCode, SmsCodePurpose, User, UserPhone
from sift.identity.web import IdentityContext

log = structlog.get_logger()


@dataclass(frozen=True)
class MfaStatus:
    totp: bool
    sms: bool
    recovery_codes_left: int
    phone: UserPhone | None


class MfaService:
    async def status(self, session: ReadSession, user_id: uuid.UUID) -> MfaStatus:
        row = await mfa_repository.settings(session, user_id)
        return MfaStatus(
            totp=row is not None and row.totp_enabled_at is not None,
            sms=row is not None and row.sms_enabled_at is not None,
            recovery_codes_left=await mfa_repository.count_unused_recovery_codes(session, user_id),
            phone=await mfa_repository.phone(session, user_id),
        )

    async def setup_totp(
        self,
        session: AsyncSession,
        context: IdentityContext,
        config: MfaConfig,
        principal: Principal,
        password: str,
    ) -> tuple[str, str]:
        """A new secret, pending until `enable_totp` sees a code from it: (secret, URI)."""
        user = await self._confirmed(session, context, principal, password)
        row = await self._settings_for_update(session, user.id)
        if row.totp_enabled_at is not None:
            raise MfaAlreadyEnabled("An authenticator app is already set up; disable it first.")
        secret = codes.new_totp_secret()
        row.totp_secret_encrypted = codes.seal_secret(context.settings, str(user.id), secret)
        row.totp_last_step = None
        uri = codes.provisioning_uri(secret, account=user.email, issuer=config.issuer)
        return secret, uri

    async def enable_totp(
        self, session: AsyncSession, context: IdentityContext, principal: Principal, code: str
    ) -> list[str]:
        row = await mfa_repository.settings(session, principal.user_id, for_update=True)
        if row is None or row.totp_secret_encrypted is None:
            raise MfaNotSetUp("Start with /api/auth/mfa/totp/setup.")
        if row.totp_enabled_at is not None:
            raise MfaAlreadyEnabled("The authenticator app is already enabled.")
        secret = codes.open_secret(
            context.settings, str(principal.user_id), row.totp_secret_encrypted
        )
        step = codes.matching_step(secret, code.strip(), after=None)
        if step is None:
            raise InvalidMfaCode()
        row.totp_last_step = step
        row.totp_enabled_at = datetime.now(UTC)
        return await self._enabled(session, context, principal.user_id, MfaMethod.totp)

    async def enable_sms(
        self,
        session: AsyncSession,
        context: IdentityContext,
        principal: Principal,
        password: str,
    ) -> list[str]:
        user = await self._confirmed(session, context, principal, password)
        phone = await mfa_repository.phone(session, user.id)
        if phone is None or phone.phone_verified_at is None:
            raise PhoneNotVerified()
        row = await self._settings_for_update(session, user.id)
        if row.sms_enabled_at is not None:
            raise MfaAlreadyEnabled("Text-message codes are already enabled.")
        row.sms_enabled_at = datetime.now(UTC)
        return await self._enabled(session, context, user.id, MfaMethod.sms)

    async def disable(
        self,
        session: AsyncSession,
        context: IdentityContext,
        principal: Principal,
        password: str,
    ) -> None:
        """Turns every factor off and deletes the recovery codes; the owner is alerted."""
        user = await self._confirmed(session, context, principal, password)
        row = await mfa_repository.settings(session, user.id, for_update=True)
        if row is None:
            return
        was_enabled = row.enabled
        await session.delete(row)
        await mfa_repository.delete_recovery_codes(session, user.id)
        await session.flush()
        if was_enabled:
            log.info("identity.mfa_disabled", user_id=str(user.id))
            await events.publish(
                session,
                MfaDisabled(user_id=user.id, email=user.email),
                actor_id=user.id,
                subject_id=user.id,
            )

    async def set_phone(
        self,
        session: AsyncSession,
        context: IdentityContext,
        config: MfaConfig,
        sender: SmsSender,
        principal: Principal,
        number: str,
    ) -> UserPhone:
        """Stores the number unverified and texts it a code (the number in use for SMS sign-in
        changes only once the new one is verified)."""
        row = await self._settings(session, principal.user_id)
        if row is not None and row.sms_enabled_at is not None:
            raise MfaAlreadyEnabled("Disable two-step sign-in before changing the phone number.")
        phone = await mfa_repository.phone(session, principal.user_id, for_update=True)
        if phone is None:
            phone = UserPhone(user_id=principal.user_id, phone_number=number)
            session.add(phone)
        phone.phone_number = number
        phone.phone_verified_at = None
        await session.flush()
        await self._send_code(
            session,
            context,
            config,
            sender,
            principal.user_id,
            number,
            SmsCodePurpose.phone_verification,
        )
        return phone

    async def verify_phone(
        self,
        session: AsyncSession,
        context: IdentityContext,
        config: MfaConfig,
        principal: Principal,
        code: str,
    ) -> UserPhone:
        phone = await mfa_repository.phone(session, principal.user_id, for_update=True)
        if phone is None:
            raise PhoneNotVerified()
        found = await self._redeem_sms_code(
            session, context, config, principal.user_id, SmsCodePurpose.phone_verification, code
        )
        if found is None or found.phone_number != phone.phone_number:
            raise InvalidSmsCode()
        phone.phone_verified_at = datetime.now(UTC)
        return phone

    async def send_sign_in_code(
        self,
        session: AsyncSession,
        context: IdentityContext,
        config: MfaConfig,
        sender: SmsSender,
        user: User,
    ) -> bool:
        """Texts a sign-in code if the user has SMS codes on; says whether it did."""
        row = await self._settings(session, user.id)
        phone = await mfa_repository.phone(session, user.id)
        if row is None or row.sms_enabled_at is None or phone is None:
            return False
        if phone.phone_verified_at is None:
            return False
        await self._send_code(
            session, context, config, sender, user.id, phone.phone_number, SmsCodePurpose.sign_in
        )
        return True

    # Sign-in (the second-factor seam)

    async def methods(self, session: AsyncSession, user: User) -> list[str]:
        row = await self._settings(session, user.id)
        if row is None:
            return []
        found = [MfaMethod.totp.value] if row.totp_enabled_at is not None else []
        if row.sms_enabled_at is not None:
            found.append(MfaMethod.sms.value)
        if found:
            found.append("recovery_code")
        return found

    async def verify(
        self,
        session: AsyncSession,
        context: IdentityContext,
        config: MfaConfig,
        user: User,
        code: str,
    ) -> bool:
        row = await mfa_repository.settings(session, user.id, for_update=True)
        if row is None or not row.enabled:
            return False
        code = code.strip()
        recovery = codes.normalize_recovery_code(code)
        if recovery is not None:
            return await self._use_recovery_code(session, context, user, recovery)
        if row.totp_enabled_at is not None and row.totp_secret_encrypted is not None:
            secret = codes.open_secret(context.settings, str(user.id), row.totp_secret_encrypted)
            step = codes.matching_step(secret, code, after=row.totp_last_step)
            if step is not None:
                row.totp_last_step = step
                return True
        if row.sms_enabled_at is not None:
            found = await self._redeem_sms_code(
                session, context, config, user.id, SmsCodePurpose.sign_in, code
            )
            return found is not None
        return False

    # Helpers

    async def _confirmed(
        self, session: AsyncSession, context: IdentityContext, principal: Principal, password: str
    ) -> User:
        user = await account_service.get(session, principal.user_id)
        if not await verify_password(password_hasher(context), user.password_hash, password):
            raise WrongPassword("The password is not correct.")
        return user

    async def _settings(self, session: AsyncSession, user_id: uuid.UUID) -> MfaSettings | None:
        return await mfa_repository.settings(session, user_id)

    async def _settings_for_update(self, session: AsyncSession, user_id: uuid.UUID) -> MfaSettings:
        row = await mfa_repository.settings(session, user_id, for_update=True)
        if row is None:
            row = MfaSettings(user_id=user_id)
            session.add(row)
            await session.flush()
        return row

    async def _enabled(
        self, session: AsyncSession, context: IdentityContext, user_id: uuid.UUID, method: MfaMethod
    ) -> list[str]:
        """Issues ten fresh recovery codes (the old ones die) and announces the change."""
        await mfa_repository.delete_recovery_codes(session, user_id)
        fresh = codes.new_recovery_codes()
        for code in fresh:
            normalized = codes.normalize_recovery_code(code)
            assert normalized is not None
            session.add(
                RecoveryCode(
                    user_id=user_id, code_hash=codes.code_hash(context.settings, normalized)
                )
            )
        await session.flush()
        log.info("identity.mfa_enabled", user_id=str(user_id), method=method.value)
        user = await account_service.get(session, user_id)
        await events.publish(
            session,
            MfaEnabled(user_id=user_id, method=method, email=user.email),
            actor_id=user_id,
            subject_id=user_id,
        )
        return fresh

    async def _use_recovery_code(
        self, session: AsyncSession, context: IdentityContext, user: User, normalized: str
    ) -> bool:
        wanted = codes.code_hash(context.settings, normalized)
        unused = await mfa_repository.unused_recovery_codes(session, user.id, for_update=True)
        match = next((row for row in unused if hmac.compare_digest(row.code_hash, wanted)), None)
        if match is None:
            return False
        match.used_at = datetime.now(UTC)
        await events.publish(
            session,
            RecoveryCodeUsed(user_id=user.id, email=user.email, remaining=len(unused) - 1),
            actor_id=user.id,
            subject_id=user.id,
        )
        return True

    async def _send_code(
        self,
        session: AsyncSession,
        context: IdentityContext,
        config: MfaConfig,
        sender: SmsSender,
        user_id: uuid.UUID,
        number: str,
        purpose: SmsCodePurpose,
    ) -> None:
        now = datetime.now(UTC)
        await sms_code_repository.retire_unused(session, user_id, purpose, now)
        code = codes.new_sms_code()
        session.add(
            SmsCode(
                user_id=user_id,
                purpose=purpose,
                phone_number=number,
                code_hash=codes.code_hash(context.settings, code),
                attempts=0,
                created_at=now,
                expires_at=now + timedelta(minutes=config.sms_code_minutes),
            )
        )
        await session.flush()
        minutes = config.sms_code_minutes
        await sender.send(
            number, f"Your {config.issuer} code is {code}. It expires in {minutes} minutes."
        )

    async def _redeem_sms_code(
        self,
        session: AsyncSession,
        context: IdentityContext,
        config: MfaConfig,
        user_id: uuid.UUID,
        purpose: SmsCodePurpose,
        code: str,
    ) -> SmsCode | None:
        """The code if right, unexpired and within its attempts (then used up); a wrong guess
        counts against it."""
        row = await sms_code_repository.latest_unused_for_update(session, user_id, purpose)
        now = datetime.now(UTC)
        if row is None or row.expires_at <= now or row.attempts >= config.sms_code_attempts:
            return None
        if not hmac.compare_digest(row.code_hash, codes.code_hash(context.settings, code.strip())):
            row.attempts += 1
            await session.flush()
            return None
        row.used_at = now
        return row


mfa_service = MfaService()
