"""Request and response bodies of second factors and phone numbers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import Field

from sift.core.schemas import Schema
from sift.identity.accounts.emails import EmailAddress

if TYPE_CHECKING:
    from sift.identity.mfa.service import MfaStatus

Password = Field(min_length=1, max_length=1024)
# E.164: a plus, a country code, up to 15 digits in all.
PhoneNumber = Field(pattern=r"^\+[1-9][0-9]{6,14}$")


class PasswordConfirmation(Schema):
    password: str = Password


class TotpSetupRead(Schema):
    secret: str  # base32, for typing into an app that cannot scan
    provisioning_uri: str  # otpauth://totp/...: the QR code's content


class CodeRequest(Schema):
    code: str = Field(min_length=4, max_length=32)


class RecoveryCodesRead(Schema):
    recovery_codes: list[str]  # shown once


class MfaStatusRead(Schema):
    totp: bool
    sms: bool
    recovery_codes_left: int
    phone_number: str | None
    phone_verified: bool

    @classmethod
    def of(cls, status: MfaStatus) -> MfaStatusRead:
        return cls.from_row(
            status,
            phone_number=status.phone.phone_number if status.phone else None,
            phone_verified=bool(status.phone and status.phone.phone_verified_at),
        )


class PhoneRequest(Schema):
    phone_number: str = PhoneNumber


class PhoneRead(Schema):
    phone_number: str
    phone_verified_at: datetime | None


class SmsChallengeRequest(Schema):
    email: EmailAddress
    password: str = Password
