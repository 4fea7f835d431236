"""SES notifications (the `Message` of a verified SNS notification): bounces, complaints,
deliveries. Both shapes SES publishes are read: identity notifications
(`notificationType`) and configuration-set event publishing (`eventType`).

`mail.messageId` is the MessageId SES answered the send with.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sift.notifications.email.exceptions import WebhookEventsInvalid
from sift.notifications.email.webhooks.feedback import Feedback, FeedbackType

PROVIDER = "ses"


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Recipient(_Loose):
    emailAddress: str = Field(max_length=320)  # SES names its fields in camelCase
    diagnosticCode: str | None = Field(default=None, max_length=4000)


class _Mail(_Loose):
    messageId: str = Field(max_length=998)
    destination: list[str] = Field(default_factory=list)


class _Bounce(_Loose):
    bounceType: str  # Permanent, Transient or Undetermined
    bounceSubType: str | None = None
    bouncedRecipients: list[_Recipient]


class _Complaint(_Loose):
    complainedRecipients: list[_Recipient]
    complaintFeedbackType: str | None = None


class _Delivery(_Loose):
    recipients: list[str] = Field(default_factory=list)


class SesNotification(_Loose):
    notificationType: str | None = None
    eventType: str | None = None
    mail: _Mail
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None
    delivery: _Delivery | None = None


def parse(message: str) -> list[Feedback]:
    """The feedback in one SES notification; other types (Send, Open, ...) give none."""
    try:
        raw: Any = json.loads(message)
        notification = SesNotification.model_validate(raw)
    except (ValueError, ValidationError) as exc:
        raise WebhookEventsInvalid("The SNS message is not an SES notification.") from exc
    kind = notification.notificationType or notification.eventType
    mid = notification.mail.messageId
    if kind == "Bounce" and notification.bounce is not None:
        bounce = notification.bounce
        permanent = bounce.bounceType == "Permanent"
        kind_of = f"{bounce.bounceType}/{bounce.bounceSubType or 'General'}"
        return [
            Feedback(
                PROVIDER,
                FeedbackType.bounced,
                mid,
                recipient.emailAddress,
                f"{kind_of}: {recipient.diagnosticCode}" if recipient.diagnosticCode else kind_of,
                permanent=permanent,
            )
            for recipient in bounce.bouncedRecipients
        ]
    if kind == "Complaint" and notification.complaint is not None:
        feedback = notification.complaint.complaintFeedbackType
        return [
            Feedback(PROVIDER, FeedbackType.complained, mid, recipient.emailAddress, feedback)
            for recipient in notification.complaint.complainedRecipients
        ]
    if kind == "Delivery":
        recipients = (
            notification.delivery.recipients if notification.delivery else []
        ) or notification.mail.destination
        return [Feedback(PROVIDER, FeedbackType.delivered, mid, address) for address in recipients]
    return []
