"""Provider webhooks (`/api/notifications/webhooks/{sendgrid,ses}`): what happened to sent
mail. The provider's signature is the credential: a request that does not verify is
refused (401 unsigned, 403 wrongly signed) before its body is read for anything else, and
changes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from sift.core.auth import Public
from sift.core.db import SessionDep
from sift.notifications.config import NotificationsSettings, get_notifications_settings
from sift.notifications.delivery.feedback import feedback_service
from sift.notifications.delivery.schemas import WebhookRead
from sift.notifications.email import exceptions
from sift.notifications.email.webhooks import sendgrid, ses, sns

router = APIRouter(prefix="/api/notifications/webhooks", tags=["notifications"])

Config = Annotated[NotificationsSettings, Depends(get_notifications_settings)]
SIGNED = Public("the provider's signature on the request authenticates it")

_ERRORS = {
    **exceptions.WebhookSignatureMissing.openapi(),
    **exceptions.WebhookSignatureInvalid.openapi(),
    **exceptions.WebhookBodyInvalid.openapi(),
    **exceptions.WebhookEventsInvalid.openapi(),
}


@router.post(
    "/sendgrid", response_model=WebhookRead, responses=_ERRORS, dependencies=[Depends(SIGNED)]
)
async def sendgrid_events(request: Request, session: SessionDep, config: Config) -> WebhookRead:
    """SendGrid's signed Event Webhook: deliveries, bounces, drops and spam reports."""
    body = await request.body()
    sendgrid.verify(
        config.email,
        body,
        request.headers.get(sendgrid.SIGNATURE_HEADER),
        request.headers.get(sendgrid.TIMESTAMP_HEADER),
    )
    reports = sendgrid.parse(body)
    applied = await feedback_service.apply(session, reports)
    return WebhookRead(
        received=len(reports), updated=applied.updated, suppressed=applied.suppressed
    )


@router.post(
    "/ses",
    response_model=WebhookRead,
    responses={**_ERRORS, **exceptions.WebhookProviderUnreachable.openapi()},
    dependencies=[Depends(SIGNED)],
)
async def ses_notifications(request: Request, session: SessionDep, config: Config) -> WebhookRead:
    """Amazon SES bounces, complaints and deliveries, as signed SNS messages (a
    subscription to a configured topic is confirmed)."""
    message = await sns.verify(config.email, await request.body())
    if message.type == sns.SUBSCRIPTION_CONFIRMATION:
        await sns.confirm_subscription(config.email, message)
        return WebhookRead(received=0, updated=0, suppressed=0)
    if message.type != sns.NOTIFICATION:
        return WebhookRead(received=0, updated=0, suppressed=0)  # unsubscribed: nothing to do
    reports = ses.parse(message.message)
    applied = await feedback_service.apply(session, reports)
    return WebhookRead(
        received=len(reports), updated=applied.updated, suppressed=applied.suppressed
    )
