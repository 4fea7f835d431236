"""Second factors and phone numbers (`/api/auth/mfa`, `/api/auth/phone`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from limits import parse_many

from sift.core.auth import Public
from sift.core.db import ReadSessionDep, SessionDep
from sift.core.errors import RateLimited
from sift.core.ratelimit import RateLimiting
from sift.identity.access import ThrottleDep
from sift.identity.accounts.exceptions import AccountLocked, WrongPassword
from sift.identity.accounts.passwords import verify_password
from sift.identity.accounts.repository import user_repository
from sift.identity.accounts.service import account_service, password_hasher
from sift.identity.mfa import exceptions
from sift.identity.mfa.auth import AccountManage
from sift.identity.mfa.config import MfaConfig
from sift.identity.mfa.factor import request_mfa_config, request_sms_sender
from sift.identity.mfa.schemas import (
    CodeRequest,
    MfaStatusRead,
    PasswordConfirmation,
    PhoneRead,
    PhoneRequest,
    RecoveryCodesRead,
    SmsChallengeRequest,
    TotpSetupRead,
)
from sift.identity.mfa.service import mfa_service
from sift.identity.mfa.sms import SmsSender, SmsUnavailable
from sift.identity.web import ClientDep, ContextDep, RecordedFailure, recorded

router = APIRouter(prefix="/api/auth", tags=["mfa"])

MfaConfigDep = Annotated[MfaConfig, Depends(request_mfa_config)]
SmsDep = Annotated[SmsSender, Depends(request_sms_sender)]


async def _sms_allowed(request: Request, config: MfaConfig, subject: str) -> None:
    """Texts cost money and reach a person: a budget per account (or address) and per IP."""
    limiting = RateLimiting.of(request.app)
    if not limiting.config.enabled:
        return
    retry_after = await limiting.hit("identity.mfa.sms", subject, parse_many(config.sms_send_limit))
    if retry_after is not None:
        raise RateLimited(retry_after, "Too many text messages; wait before asking again.")


@router.get("/mfa", response_model=MfaStatusRead)
async def mfa_status(principal: AccountManage, session: ReadSessionDep) -> MfaStatusRead:
    """Which second factors the caller has on, and how many recovery codes are left."""
    return MfaStatusRead.of(await mfa_service.status(session, principal.user_id))


@router.post(
    "/mfa/totp/setup",
    response_model=TotpSetupRead,
    responses={**WrongPassword.openapi(), **exceptions.MfaAlreadyEnabled.openapi()},
)
async def setup_totp(
    principal: AccountManage,
    body: PasswordConfirmation,
    session: SessionDep,
    context: ContextDep,
    config: MfaConfigDep,
) -> TotpSetupRead:
    """A new authenticator secret and its otpauth:// URI (needs the password)."""
    secret, uri = await mfa_service.setup_totp(session, context, config, principal, body.password)
    return TotpSetupRead(secret=secret, provisioning_uri=uri)


@router.post(
    "/mfa/totp/enable",
    response_model=RecoveryCodesRead,
    responses={
        **exceptions.InvalidMfaCode.openapi(),
        **exceptions.MfaNotSetUp.openapi(),
    },
)
async def enable_totp(
    principal: AccountManage, body: CodeRequest, session: SessionDep, context: ContextDep
) -> RecoveryCodesRead:
    """Turn the authenticator app on with one of its codes; answers ten recovery codes, once."""
    fresh = await mfa_service.enable_totp(session, context, principal, body.code)
    return RecoveryCodesRead(recovery_codes=fresh)


@router.post(
    "/mfa/sms/enable",
    response_model=RecoveryCodesRead,
    responses={**WrongPassword.openapi(), **exceptions.PhoneNotVerified.openapi()},
)
async def enable_sms(
    principal: AccountManage, body: PasswordConfirmation, session: SessionDep, context: ContextDep
) -> RecoveryCodesRead:
    """Turn sign-in codes by text message on (needs a verified phone and the password)."""
    fresh = await mfa_service.enable_sms(session, context, principal, body.password)
    return RecoveryCodesRead(recovery_codes=fresh)


@router.post(
    "/mfa/disable", status_code=status.HTTP_204_NO_CONTENT, responses=WrongPassword.openapi()
)
async def disable_mfa(
    principal: AccountManage, body: PasswordConfirmation, session: SessionDep, context: ContextDep
) -> None:
    """Turn every second factor off (needs the password); recovery codes are deleted."""
    await mfa_service.disable(session, context, principal, body.password)


@router.post(
    "/mfa/sms/send",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    dependencies=[Depends(Public("the e-mail and password authenticate it, as at sign-in"))],
    responses={**RateLimited.openapi(), **SmsUnavailable.openapi()},
)
async def send_sign_in_code(
    body: SmsChallengeRequest,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    config: MfaConfigDep,
    sender: SmsDep,
    throttle: ThrottleDep,
    client: ClientDep,
) -> Response:
    """Text a sign-in code to the account's verified phone; always 202, whatever the case."""
    accepted = Response(status_code=status.HTTP_202_ACCEPTED)
    user = await user_repository.by_email(session, body.email)
    stored = user.password_hash if user is not None else None
    try:
        attempt = await account_service.check_attempt(
            session, context, throttle, user, body.email, request.cookies, client
        )
    except AccountLocked:
        return accepted  # the refusal's event commits
    if not await verify_password(password_hasher(context), stored, body.password):
        await account_service.count_failure(session, throttle, user, attempt)
        return accepted
    if user is None or not user.is_active:
        return accepted
    await _sms_allowed(request, config, f"user:{user.id}")
    await mfa_service.send_sign_in_code(session, context, config, sender, user)
    return accepted


@router.put(
    "/phone",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PhoneRead,
    responses={
        **exceptions.MfaAlreadyEnabled.openapi(),
        **RateLimited.openapi(),
        **SmsUnavailable.openapi(),
    },
)
async def set_phone(
    principal: AccountManage,
    body: PhoneRequest,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    config: MfaConfigDep,
    sender: SmsDep,
) -> PhoneRead:
    """Set the mobile number (unverified); a code is texted to it."""
    await _sms_allowed(request, config, f"user:{principal.user_id}")
    phone = await mfa_service.set_phone(
        session, context, config, sender, principal, body.phone_number
    )
    return PhoneRead.from_row(phone)


@router.post(
    "/phone/verify",
    response_model=PhoneRead,
    responses={
        **exceptions.InvalidSmsCode.openapi(),
        **exceptions.PhoneNotVerified.openapi(),
    },
)
async def verify_phone(
    principal: AccountManage,
    body: CodeRequest,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    config: MfaConfigDep,
) -> PhoneRead | JSONResponse:
    """Confirm the mobile number with the texted code."""
    try:
        phone = await mfa_service.verify_phone(session, context, config, principal, body.code)
    except RecordedFailure as exc:
        return recorded(request, exc)  # the wrong guess counts
    return PhoneRead.from_row(phone)
