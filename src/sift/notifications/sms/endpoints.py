"""The caller's phone number for SMS notifications (`/api/notifications/phone`): set it
(a code is texted to it), verify it with the code, read it (masked), remove it. And the
texts the development profile caught instead of sending (`/api/dev/sms`)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from sift.core.auth import Public
from sift.core.config import CoreSettings, Environment
from sift.core.db import ReadSessionDep, SessionDep
from sift.notifications.config import NotificationsSettings, get_notifications_settings
from sift.notifications.preferences.auth import PreferencesOwn
from sift.notifications.sms import exceptions
from sift.notifications.sms.capture import SmsStore, sms_dir
from sift.notifications.sms.phone import phone_service
from sift.notifications.sms.schemas import CapturedSmsList, PhoneRead, PhoneUpdate, PhoneVerify

router = APIRouter(prefix="/api/notifications/phone", tags=["notifications"])
dev_router = APIRouter(prefix="/api/dev/sms", tags=["dev"])

Config = Annotated[NotificationsSettings, Depends(get_notifications_settings)]


@router.get("", response_model=PhoneRead)
async def get_phone(principal: PreferencesOwn, session: ReadSessionDep) -> PhoneRead:
    """The caller's number (masked) and whether it is verified."""
    return await phone_service.read(session, principal.user_id)


@router.put(
    "",
    response_model=PhoneRead,
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        **exceptions.InvalidPhoneNumber.openapi(),
        **exceptions.TooManyCodes.openapi(),
        **exceptions.SmsUnavailable.openapi(),
    },
)
async def put_phone(
    principal: PreferencesOwn,
    session: SessionDep,
    body: PhoneUpdate,
    request: Request,
    config: Config,
) -> PhoneRead:
    """Set the caller's number and text it a 6-digit code (verify it with `/verify`)."""
    settings: CoreSettings = request.app.state.settings
    return await phone_service.put(
        session, principal.user_id, body.number, settings=settings, config=config.sms
    )


@router.post(
    "/verify",
    response_model=PhoneRead,
    responses={
        **exceptions.InvalidVerificationCode.openapi(),
        **exceptions.TooManyAttempts.openapi(),
    },
)
async def verify_phone(
    principal: PreferencesOwn,
    session: SessionDep,
    body: PhoneVerify,
    request: Request,
    config: Config,
) -> PhoneRead:
    """Verify the caller's number with the code texted to it."""
    settings: CoreSettings = request.app.state.settings
    return await phone_service.verify(
        session, principal.user_id, body.code, settings=settings, config=config.sms
    )


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_phone(principal: PreferencesOwn, session: SessionDep) -> Response:
    """Remove the caller's number; SMS notifications are off for every type."""
    await phone_service.remove(session, principal.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@dev_router.get(
    "",
    response_model=CapturedSmsList,
    responses=exceptions.DevSmsNotFound.openapi(),
    # Like /api/dev/mail: what this machine caught, for whoever develops on it.
    dependencies=[Depends(Public("development only: texts caught on this machine"))],
)
async def list_captured_sms(
    request: Request, limit: int = Query(default=50, ge=1, le=500)
) -> CapturedSmsList:
    """Texts caught instead of sent (development without Twilio), newest first."""
    settings: CoreSettings = request.app.state.settings
    if settings.env is not Environment.development:
        raise exceptions.DevSmsNotFound
    store = SmsStore(sms_dir(settings.data_dir))
    return CapturedSmsList(items=await asyncio.to_thread(store.latest, limit))
