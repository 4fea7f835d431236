"""SendGrid's signed Event Webhook: verify, then read the events that matter to deliveries.

SendGrid signs `timestamp + raw body` with ECDSA P-256 / SHA-256 and sends the signature
(base64 DER) and the timestamp (Unix seconds) in `X-Twilio-Email-Event-Webhook-*` headers;
the SDK's `EventWebhook` helper checks it against the verification key. A timestamp outside
the replay window is refused even with a good signature.

`sg_message_id` is the `X-Message-Id` the send was answered with, followed by
`.filter...` (SendGrid's relay); the part before it is what the delivery recorded.
"""

from __future__ import annotations

import binascii
import json
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sendgrid.helpers.eventwebhook import EventWebhook

from sift.notifications.email.config import EmailSettings
from sift.notifications.email.exceptions import (
    WebhookBodyInvalid,
    WebhookEventsInvalid,
    WebhookNotConfigured,
    WebhookSignatureInvalid,
    WebhookSignatureMissing,
)
from sift.notifications.email.webhooks.feedback import Feedback, FeedbackType

PROVIDER = "sendgrid"
SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"

# SendGrid drops mail to addresses on its own lists; these mean ours should hold them too.
_DROPPED_DEAD = {"bounced address", "invalid"}
_DROPPED_COMPLAINED = {"spam reporting address"}


def public_key(encoded: str) -> EllipticCurvePublicKey:
    """The verification key as SendGrid shows it; raises ValueError when it is not one."""
    key = EventWebhook().convert_public_key_to_ecdsa(encoded.strip())
    if not isinstance(key, EllipticCurvePublicKey):
        raise ValueError("the SendGrid verification key is not an elliptic-curve key")
    return key


class SendGridEvent(BaseModel):
    """The fields of one event that are read; SendGrid sends many more."""

    model_config = ConfigDict(extra="ignore")

    event: str = Field(max_length=64)
    email: str | None = Field(default=None, max_length=320)
    sg_message_id: str | None = Field(default=None, max_length=998)
    reason: str | None = Field(default=None, max_length=4000)
    type: str | None = Field(default=None, max_length=64)  # bounce: "bounce" or "blocked"
    timestamp: int | None = None


def verify(
    config: EmailSettings, body: bytes, signature: str | None, timestamp: str | None
) -> None:
    """Raises unless the body is SendGrid's, signed within the replay window."""
    if not config.sendgrid_webhook_public_key:
        raise WebhookNotConfigured("Set SIFT_NOTIFICATIONS_EMAIL_SENDGRID_WEBHOOK_PUBLIC_KEY.")
    if not signature or not timestamp:
        raise WebhookSignatureMissing(f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required.")
    try:
        signed_at = int(timestamp)
    except ValueError as exc:
        raise WebhookSignatureInvalid("The timestamp is not a number of seconds.") from exc
    if abs(time.time() - signed_at) > config.sendgrid_webhook_max_age_seconds:
        raise WebhookSignatureInvalid("The timestamp is outside the replay window.")
    try:
        payload = body.decode("utf-8")
        valid = EventWebhook().verify_signature(
            payload, signature, timestamp, public_key(config.sendgrid_webhook_public_key)
        )
    except (UnicodeDecodeError, binascii.Error, ValueError) as exc:
        raise WebhookSignatureInvalid("The signature does not verify.") from exc
    if not valid:
        raise WebhookSignatureInvalid("The signature does not verify.")


def message_id(sg_message_id: str) -> str:
    return sg_message_id.split(".filter", 1)[0]


def _feedback(event: SendGridEvent) -> Feedback | None:
    mid = message_id(event.sg_message_id) if event.sg_message_id else None
    name = event.event.lower()
    if name == "delivered":
        return Feedback(PROVIDER, FeedbackType.delivered, mid, event.email)
    if name == "bounce":
        permanent = (event.type or "bounce").lower() != "blocked"
        return Feedback(
            PROVIDER, FeedbackType.bounced, mid, event.email, event.reason, permanent=permanent
        )
    if name == "dropped":
        reason = (event.reason or "").strip().lower()
        return Feedback(
            PROVIDER,
            FeedbackType.dropped,
            mid,
            event.email,
            event.reason,
            permanent=reason in _DROPPED_DEAD,
            complaint=reason in _DROPPED_COMPLAINED,
        )
    if name == "spamreport":
        return Feedback(PROVIDER, FeedbackType.complained, mid, event.email)
    return None  # processed, deferred, open, click, ...: nothing for a delivery to record


def parse(body: bytes) -> list[Feedback]:
    """The feedback in a verified body (a JSON array of events); others are skipped."""
    try:
        raw: Any = json.loads(body)
    except ValueError as exc:
        raise WebhookBodyInvalid("The body is not JSON.") from exc
    if not isinstance(raw, list):
        raise WebhookEventsInvalid("SendGrid sends a JSON array of events.")
    try:
        events = [SendGridEvent.model_validate(item) for item in raw]
    except ValidationError as exc:
        raise WebhookEventsInvalid(
            f"An event is not what SendGrid sends: {exc.errors()[0]['msg']}"
        ) from exc
    return [found for event in events if (found := _feedback(event)) is not None]
