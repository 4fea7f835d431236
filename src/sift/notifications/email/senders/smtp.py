"""SMTP with aiosmtplib: the local capture by default, any relay by configuration.

SMTP says itself whether a refusal passes: 4xx replies are transient, 5xx permanent.
"""

from __future__ import annotations

import aiosmtplib
import structlog

from sift.notifications.email.config import EmailSettings
from sift.notifications.email.exceptions import (
    EmailNotSent,
    EmailRejected,
    EmailTemporarilyRefused,
)
from sift.notifications.email.messages import EmailMessage, to_mime

log = structlog.get_logger()


def _by_reply_code(code: int, reason: str) -> EmailNotSent:
    if 400 <= code < 500:
        return EmailTemporarilyRefused("smtp", f"{code} {reason}")
    return EmailRejected("smtp", f"{code} {reason}")


class SmtpSender:
    provider = "smtp"

    def __init__(self, config: EmailSettings) -> None:
        self.config = config

    async def send(self, message: EmailMessage) -> str:
        """Hands the message to the server; the ID is the `Message-ID` it was sent with."""
        config = self.config
        mime = to_mime(message, config.sender)
        password = config.smtp_password.get_secret_value() if config.smtp_password else None
        try:
            await aiosmtplib.send(
                mime,
                hostname=config.smtp_host,
                port=config.smtp_port_or_capture,
                username=config.smtp_username,
                password=password,
                use_tls=config.smtp_security == "tls",
                start_tls=config.smtp_security == "starttls",
                timeout=config.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            raise _by_reply_code(refused.code, refused.message) from exc
        except aiosmtplib.SMTPResponseException as exc:  # sender, data or sign-in refused
            raise _by_reply_code(exc.code, exc.message) from exc
        except (
            aiosmtplib.SMTPConnectError,
            aiosmtplib.SMTPServerDisconnected,
            aiosmtplib.SMTPTimeoutError,
            OSError,
        ) as exc:
            raise EmailTemporarilyRefused("smtp", f"{type(exc).__name__}: {exc}") from exc
        except aiosmtplib.SMTPException as exc:  # no STARTTLS or AUTH there: configuration
            raise EmailRejected("smtp", str(exc)) from exc
        message_id = str(mime["Message-ID"])
        log.info("notifications.email_sent", provider=self.provider, kind=message.kind)
        return message_id
