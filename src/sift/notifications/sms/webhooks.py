"""Twilio's status callbacks (`POST /api/notifications/webhooks/twilio`): what became of a
text. Signed with the account's auth token over the public URL and the form parameters
(`X-Twilio-Signature`); a request that does not verify is refused (401 unsigned, 403
wrongly signed, or no token configured) and changes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from twilio.request_validator import RequestValidator

from sift.core.config import CoreSettings
from sift.core.db import SessionDep
from sift.notifications.config import NotificationsSettings, get_notifications_settings
from sift.notifications.delivery.models import DeliveryStatus
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.delivery.schemas import WebhookRead
from sift.notifications.delivery.webhooks import SIGNED
from sift.notifications.email import exceptions
from sift.notifications.sms.config import WEBHOOK_PATH
from sift.notifications.sms.sender import PROVIDER

router = APIRouter(tags=["notifications"])

Config = Annotated[NotificationsSettings, Depends(get_notifications_settings)]
SIGNATURE_HEADER = "X-Twilio-Signature"

# Twilio's final statuses; the others (queued, sending, sent) change nothing here.
_FINAL = {
    "delivered": DeliveryStatus.delivered,
    "undelivered": DeliveryStatus.failed,
    "failed": DeliveryStatus.failed,
}


@router.post(
    WEBHOOK_PATH,
    response_model=WebhookRead,
    responses={
        **exceptions.WebhookSignatureMissing.openapi(),
        **exceptions.WebhookSignatureInvalid.openapi(),
        **exceptions.WebhookNotConfigured.openapi(),
    },
    dependencies=[Depends(SIGNED)],
)
async def twilio_status(request: Request, session: SessionDep, config: Config) -> WebhookRead:
    """A text's status from Twilio: delivered, undelivered or failed."""
    token = config.sms.auth_token.get_secret_value()
    if not token:
        raise exceptions.WebhookNotConfigured("Twilio's auth token is not configured.")
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise exceptions.WebhookSignatureMissing(f"The {SIGNATURE_HEADER} header is missing.")
    settings: CoreSettings = request.app.state.settings
    # Twilio signs the URL it called: ours as the public sees it, not as the proxy forwards it.
    url = settings.public_url.rstrip("/") + WEBHOOK_PATH
    if request.url.query:
        url += "?" + request.url.query
    form = {key: str(value) for key, value in (await request.form()).items()}
    if not RequestValidator(token).validate(url, form, signature):
        raise exceptions.WebhookSignatureInvalid("The Twilio signature does not verify.")
    sid, reported = form.get("MessageSid", ""), form.get("MessageStatus", "")
    status = _FINAL.get(reported)
    if not sid or status is None:
        return WebhookRead(received=1, updated=0, suppressed=0)
    error = None
    if status is DeliveryStatus.failed:
        error = f"Twilio: {reported} (error {form.get('ErrorCode') or 'unknown'})"
    updated = await delivery_repository.report(
        session, PROVIDER, sid, status, after=[DeliveryStatus.sent], error=error
    )
    return WebhookRead(received=1, updated=int(updated is not None), suppressed=0)
