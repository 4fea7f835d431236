"""Mail caught by the development capture (`/api/dev/mail`); 404 outside development."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Query, Request

from sift.core.auth import Public
from sift.core.config import CoreSettings, Environment
from sift.notifications.email.capture import MailStore, mail_dir
from sift.notifications.email.exceptions import DevMailNotFound
from sift.notifications.email.schemas import CapturedMailList

router = APIRouter(prefix="/api/dev/mail", tags=["dev"])


@router.get(
    "",
    response_model=CapturedMailList,
    responses=DevMailNotFound.openapi(),
    # A newcomer reads the verification mail before there is an account to sign in with.
    dependencies=[Depends(Public("development only: mail caught on this machine"))],
)
async def list_captured_mail(
    request: Request, limit: int = Query(default=50, ge=1, le=500)
) -> CapturedMailList:
    """Mail caught by the local SMTP capture, newest first (development only)."""
    settings: CoreSettings = request.app.state.settings
    if settings.env is not Environment.development:
        raise DevMailNotFound
    store = MailStore(mail_dir(settings.data_dir))
    messages = await asyncio.to_thread(store.latest, limit)
    return CapturedMailList(items=messages)
