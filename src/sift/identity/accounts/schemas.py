"""Request and response bodies of accounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from sift.core.schemas import Schema
from sift.core.text import DisplayName
from sift.identity.accounts.emails import EmailAddress
from sift.identity.schemas import AccessTokenRead

Name = Field(min_length=1, max_length=200)
# The policy (length, commonness, strength) is checked by the service, with its reasons.
NewPassword = Field(min_length=1, max_length=1024)


class UserRead(Schema):
    id: uuid.UUID
    email: str
    name: str
    email_verified: bool
    created_at: datetime


class UserUpdate(Schema):
    name: DisplayName | None = Field(default=None, min_length=1, max_length=200)


class SignupRequest(Schema):
    email: EmailAddress
    password: str = NewPassword
    name: DisplayName = Name


class LoginRequest(Schema):
    email: EmailAddress
    password: str = Field(min_length=1, max_length=1024)
    mfa_code: str | None = Field(default=None, max_length=32)


class AuthRead(AccessTokenRead):
    user: UserRead


class EmailVerifyRequest(Schema):
    token: str = Field(min_length=16, max_length=256)


class PasswordForgotRequest(Schema):
    email: EmailAddress


class PasswordResetRequest(Schema):
    token: str = Field(min_length=16, max_length=256)
    password: str = NewPassword


class PasswordChangeRequest(Schema):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = NewPassword
