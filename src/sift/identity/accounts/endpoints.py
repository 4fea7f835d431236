"""Sign-up, sign-in, e-mail verification, passwords (`/api/auth`) and the profile (`/api/users`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse

from sift.core.auth import Public
from sift.core.auth.revocation import RevocationsDep
from sift.core.db import Database, SessionDep, begin_read_only, get_database
from sift.core.errors import RateLimited
from sift.identity.access import KeysDep, ThrottleDep, VerifiedUserDep
from sift.identity.accounts import exceptions
from sift.identity.accounts.auth import AccountManage
from sift.identity.accounts.devices import DeviceCookies
from sift.identity.accounts.schemas import (
    AuthRead,
    EmailVerifyRequest,
    LoginRequest,
    PasswordChangeRequest,
    PasswordForgotRequest,
    PasswordResetRequest,
    SignupRequest,
    UserRead,
    UserUpdate,
)
from sift.identity.accounts.second_factor import MfaRequired
from sift.identity.accounts.service import account_service
from sift.identity.limits import (
    ForgotLimit,
    PasswordChangeLimit,
    ResetLimit,
    SignupLimit,
    VerifyLimit,
)
from sift.identity.models import User
from sift.identity.sessions.cookies import set_device_cookie, set_session_cookies
from sift.identity.sessions.service import SessionGrant
from sift.identity.tokens.access import issue_access_token
from sift.identity.tokens.links import InvalidLink
from sift.identity.web import ClientDep, ContextDep, IdentityContext, RecordedFailure, recorded

router = APIRouter(prefix="/api/auth", tags=["auth"])
DatabaseDep = Annotated[Database, Depends(get_database)]
users = APIRouter(prefix="/api/users", tags=["users"])


async def _signed_in(
    keys: KeysDep, context: IdentityContext, response: Response, user: User, grant: SessionGrant
) -> AuthRead:
    access = await issue_access_token(
        keys, user_id=user.id, org_id=grant.org_id, role=grant.role, session_id=grant.family.id
    )
    set_session_cookies(response, context, grant.refresh_token)
    set_device_cookie(response, context, DeviceCookies(context).issue(user))
    return AuthRead.of(access, user=UserRead.from_row(user))


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthRead,
    dependencies=[Depends(Public("creating an account"))],
    responses={
        **exceptions.EmailTaken.openapi(),
        **exceptions.WeakPassword.openapi(),
        **RateLimited.openapi(),
    },
)
async def signup(
    _: SignupLimit,
    body: SignupRequest,
    session: SessionDep,
    context: ContextDep,
    keys: KeysDep,
    client: ClientDep,
    response: Response,
) -> AuthRead:
    """Create an account and its personal organization; signs in."""
    user, grant = await account_service.signup(session, context, body, client)
    return await _signed_in(keys, context, response, user, grant)


@router.post(
    "/login",
    response_model=AuthRead,
    dependencies=[Depends(Public("signing in"))],
    responses={
        **exceptions.InvalidCredentials.openapi(),
        **exceptions.AccountLocked.openapi(),
        **MfaRequired.openapi(),
    },
)
async def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    keys: KeysDep,
    throttle: ThrottleDep,
    client: ClientDep,
    response: Response,
) -> AuthRead | JSONResponse:
    """Sign in with e-mail and password; sets the refresh cookie."""
    try:
        user, grant = await account_service.login(
            session, context, throttle, body, client, request.cookies
        )
    except RecordedFailure as exc:
        return recorded(request, exc)  # the failure's events commit
    return await _signed_in(keys, context, response, user, grant)


@router.post(
    "/email/verify",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(Public("the e-mailed link token authenticates it"))],
    responses={**InvalidLink.openapi(), **RateLimited.openapi()},
)
async def verify_email(
    _: VerifyLimit, body: EmailVerifyRequest, session: SessionDep, context: ContextDep
) -> None:
    """Confirm the e-mail address with the token of the verification link."""
    await account_service.verify_email(session, context, body.token)


@router.post("/email/verify/resend", status_code=status.HTTP_202_ACCEPTED, response_class=Response)
async def resend_verification(
    principal: AccountManage, session: SessionDep, context: ContextDep
) -> Response:
    """Send the verification link again (nothing happens once verified)."""
    user = await account_service.get(session, principal.user_id)
    if not user.email_verified:
        await account_service.request_verification(session, context, user)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password/forgot",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    dependencies=[Depends(Public("asking for a reset link"))],
    responses=RateLimited.openapi(),
)
async def forgot_password(
    _: ForgotLimit,
    body: PasswordForgotRequest,
    session: SessionDep,
    context: ContextDep,
    throttle: ThrottleDep,
) -> Response:
    """Send a reset link if an account has this address; always 202."""
    allowed = await throttle.reset_mail_allowed(body.email)
    await account_service.forgot_password(session, context, body.email, allowed=allowed)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(Public("the e-mailed link token authenticates it"))],
    responses={**InvalidLink.openapi(), **exceptions.WeakPassword.openapi()},
)
async def reset_password(
    _: ResetLimit,
    body: PasswordResetRequest,
    session: SessionDep,
    context: ContextDep,
    throttle: ThrottleDep,
    revocations: RevocationsDep,
    response: Response,
) -> None:
    """Set a new password with the reset link's token; signs out every session."""
    user = await account_service.reset_password(
        session, context, throttle, revocations, body.token, body.password
    )
    # The link reached the owner's mailbox: this browser may sign in even under attack.
    set_device_cookie(response, context, DeviceCookies(context).issue(user))


@router.post(
    "/password/change",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**exceptions.WrongPassword.openapi(), **exceptions.WeakPassword.openapi()},
)
async def change_password(
    principal: AccountManage,
    _: PasswordChangeLimit,
    body: PasswordChangeRequest,
    session: SessionDep,
    context: ContextDep,
    revocations: RevocationsDep,
) -> None:
    """Change the password (the current one is needed); signs out the other sessions."""
    await account_service.change_password(
        session, context, revocations, principal, body.current_password, body.new_password
    )


@users.get("/me", response_model=UserRead)
async def read_me(
    principal: AccountManage, verified: VerifiedUserDep, database: DatabaseDep
) -> UserRead:
    """The caller's profile."""
    if verified is not None and verified.id == principal.user_id:
        # The row the token's check read moments ago, in this request: no second query.
        return UserRead.from_row(verified)
    async with database.read_sessionmaker() as session:
        await begin_read_only(session)
        return UserRead.from_row(await account_service.get(session, principal.user_id))


@users.patch("/me", response_model=UserRead)
async def update_me(principal: AccountManage, body: UserUpdate, session: SessionDep) -> UserRead:
    """Change the caller's name."""
    return UserRead.from_row(await account_service.update(session, principal.user_id, body))
