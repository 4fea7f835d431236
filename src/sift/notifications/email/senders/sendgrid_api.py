"""SendGrid's v3 Mail Send API through its SDK; the API host is a setting (a fake in tests).

The SDK is synchronous (urllib): a send runs in a thread. 429 and 5xx pass; other refusals
(a bad key, an invalid payload or address) do not.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.error import URLError

import structlog
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, From, Header, Mail, To

from sift.notifications.email.config import EmailSettings
from sift.notifications.email.exceptions import EmailRejected, EmailTemporarilyRefused
from sift.notifications.email.messages import EmailMessage
from sift.notifications.email.senders.base import HandOff

log = structlog.get_logger()


def _reason(exc: HTTPError) -> str:
    try:
        errors = exc.to_dict.get("errors") or []
        return "; ".join(str(error.get("message")) for error in errors) or str(exc.reason)
    except (ValueError, AttributeError):
        return str(exc.reason)


class SendGridSender:
    provider = "sendgrid"

    def __init__(self, config: EmailSettings) -> None:
        if config.sendgrid_api_key is None:
            raise ValueError("SendGrid needs SIFT_NOTIFICATIONS_EMAIL_SENDGRID_API_KEY")
        self.config = config
        self._client = SendGridAPIClient(
            api_key=config.sendgrid_api_key.get_secret_value(),
            host=config.sendgrid_host.rstrip("/"),
        )

    async def send(self, message: EmailMessage, *, handing_off: HandOff | None = None) -> str:
        if handing_off is not None:
            await handing_off()  # one API call: the whole of it is the hand-off
        return await asyncio.to_thread(self._send, message)

    def _mail(self, message: EmailMessage) -> dict[str, Any]:
        mail = Mail(
            from_email=From(self.config.from_address, self.config.from_name),
            to_emails=To(message.to),
            subject=message.subject,
            plain_text_content=message.text,
            html_content=message.html,
        )
        for name, value in message.headers.items():
            mail.header = Header(name, value)
        mail.custom_arg = CustomArg("kind", message.kind)  # comes back on event webhooks
        body: dict[str, Any] = mail.get()
        return body

    def _send(self, message: EmailMessage) -> str:
        try:
            body = self._mail(message)
        except (KeyError, TypeError, ValueError) as exc:  # the SDK cannot even build it
            raise EmailRejected(self.provider, f"invalid message: {exc!r}") from exc
        try:
            response = self._client.client.mail.send.post(
                request_body=body, timeout=self.config.timeout_seconds
            )
        except HTTPError as exc:
            if exc.status_code == 429 or exc.status_code >= 500:
                raise EmailTemporarilyRefused(
                    self.provider, f"{exc.status_code} {_reason(exc)}"
                ) from exc
            raise EmailRejected(self.provider, f"{exc.status_code} {_reason(exc)}") from exc
        except (URLError, OSError, TimeoutError) as exc:
            raise EmailTemporarilyRefused(self.provider, f"{type(exc).__name__}: {exc}") from exc
        message_id = str(response.headers.get("X-Message-Id") or "")
        if not message_id:
            raise EmailTemporarilyRefused(self.provider, "accepted without a message ID")
        log.info("notifications.email_sent", provider=self.provider, kind=message.kind)
        return message_id
