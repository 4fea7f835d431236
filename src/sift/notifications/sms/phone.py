"""The user's phone number: set it, prove it with a code sent to it, remove it.

The code is kept as an HMAC under the server's secret (bound to the user and the number),
expires, and allows a few wrong tries; sending one is limited per user (one a minute, a few
an hour), since each costs money and reaches a person.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.privacy import ErasureRequested
from sift.core.config import CoreSettings
from sift.notifications.preferences.repository import preference_repository
from sift.notifications.sms import exceptions
from sift.notifications.sms.capture import sms_sender
from sift.notifications.sms.config import SmsSettings
from sift.notifications.sms.models import PhoneNumber
from sift.notifications.sms.repository import phone_repository
from sift.notifications.sms.schemas import PhoneRead
from sift.notifications.sms.sender import SmsNotSent

log = structlog.get_logger()

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SEPARATORS = re.compile(r"[\s\-.()]")
HOUR = timedelta(hours=1)


def normalize(number: str) -> str:
    """The number in E.164; raises `InvalidPhoneNumber` (no `phonenumbers` in the lock)."""
    compact = _SEPARATORS.sub("", number)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not E164.match(compact):
        raise exceptions.InvalidPhoneNumber(
            "Give the number in international form, e.g. +4915112345678.", "number"
        )
    return compact


def mask(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def _digest(settings: CoreSettings, user_id: uuid.UUID, number: str, code: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    message = f"sms-phone-code:{user_id}:{number}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _read(phone: PhoneNumber | None) -> PhoneRead:
    if phone is None or phone.number is None:
        return PhoneRead(number=None, verified=False)
    return PhoneRead(number=mask(phone.number), verified=phone.verified_at is not None)


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))


class PhoneService:
    async def read(self, session: AsyncSession, user_id: uuid.UUID) -> PhoneRead:
        return _read(await phone_repository.get(session, user_id))

    async def put(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        number: str,
        *,
        settings: CoreSettings,
        config: SmsSettings,
    ) -> PhoneRead:
        """Sets the number (a new one is unverified until its code comes back) and texts it
        a code; raises `TooManyCodes` while the limits hold."""
        number = normalize(number)
        now = datetime.now(UTC)
        phone = await phone_repository.locked(session, user_id)
        self._check_limits(phone, config, now)
        if phone.number != number:
            phone.number, phone.verified_at = number, None
        code = f"{secrets.randbelow(10**6):06d}"
        phone.code_hash = _digest(settings, user_id, number, code)
        phone.code_expires_at = now + timedelta(minutes=config.code_minutes)
        phone.code_failures = 0
        if phone.window_started_at is None or now - phone.window_started_at >= HOUR:
            phone.window_started_at, phone.sends = now, 0
        phone.sends += 1
        phone.last_sent_at = now
        phone.updated_at = now
        body = (
            f"Your Sift verification code is {code}. It expires in {config.code_minutes} minutes."
        )
        try:
            sid = await sms_sender(config, settings).send(number, body)
        except SmsNotSent as exc:
            # Rolled back with the request: the limits spend nothing on a text that did not go.
            raise exceptions.SmsUnavailable("The code could not be sent; try again.") from exc
        log.info("notifications.phone_code_sent", message_sid=sid)
        return _read(phone)

    @staticmethod
    def _check_limits(phone: PhoneNumber, config: SmsSettings, now: datetime) -> None:
        # The hour's limit first: its wait is the longer one, and the one to tell.
        window = phone.window_started_at
        if window is not None and now - window < HOUR and phone.sends >= config.sends_per_hour:
            raise exceptions.TooManyCodes(
                _seconds(window + HOUR - now), "Too many codes this hour; try again later."
            )
        if phone.last_sent_at is not None:
            wait = phone.last_sent_at + timedelta(seconds=config.resend_seconds) - now
            if wait > timedelta(0):
                raise exceptions.TooManyCodes(
                    _seconds(wait), "A code was just sent; wait before asking for another."
                )

    async def verify(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        code: str,
        *,
        settings: CoreSettings,
        config: SmsSettings,
    ) -> PhoneRead:
        now = datetime.now(UTC)
        phone = await phone_repository.get(session, user_id, lock=True)
        if (
            phone is None
            or phone.number is None
            or phone.code_hash is None
            or phone.code_expires_at is None
            or phone.code_expires_at <= now
        ):
            raise exceptions.InvalidVerificationCode(
                "No code is pending; ask for a new one.", "code"
            )
        if phone.code_failures >= config.code_attempts:
            # This code is spent: a new one can be asked for once the resend wait is over.
            ready = (phone.last_sent_at or now) + timedelta(seconds=config.resend_seconds)
            raise exceptions.TooManyAttempts(
                _seconds(ready - now), "Too many wrong codes; ask for a new one."
            )
        expected = _digest(settings, user_id, phone.number, code.strip())
        if not hmac.compare_digest(expected, phone.code_hash):
            phone.code_failures += 1
            # Kept although the request fails: the error rolls the request's work back.
            await session.commit()
            raise exceptions.InvalidVerificationCode("The code does not match.", "code")
        phone.verified_at, phone.code_hash, phone.code_expires_at = now, None, None
        phone.updated_at = now
        log.info("notifications.phone_verified")
        return _read(phone)

    async def remove(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Forgets the number (the send counters stay); SMS is off for every type."""
        phone = await phone_repository.get(session, user_id, lock=True)
        if phone is not None:
            phone.number, phone.verified_at = None, None
            phone.code_hash, phone.code_expires_at = None, None
            phone.updated_at = datetime.now(UTC)
        await preference_repository.sms_off(session, user_id)
        log.info("notifications.phone_removed")


phone_service = PhoneService()


async def forget_phone(session: AsyncSession, envelope: EventEnvelope) -> None:
    """An erasure request: the user's number goes, with the row and its counters."""
    await phone_repository.delete(session, envelope.payload_as(ErasureRequested).user_id)
