"""SMTP with aiosmtplib: the local capture by default, any relay by configuration.

SMTP says itself whether a refusal passes: 4xx replies are transient, 5xx permanent.

The end of DATA (the lone `.`) is the point of no return: before it the server keeps
nothing, after it the server may have taken the message even if its answer never comes
(RFC 1047). `handing_off` runs just before that dot, so that a worker that dies earlier
is known to have sent nothing, and silence after the dot is `EmailOutcomeUnknown`, never a
transient refusal that would be retried into a second copy.
"""

from __future__ import annotations

import re
from typing import Any

import aiosmtplib
import structlog
from aiosmtplib.typing import Default

from sift.notifications.email.config import EmailSettings
from sift.notifications.email.exceptions import (
    EmailNotSent,
    EmailOutcomeUnknown,
    EmailRejected,
    EmailTemporarilyRefused,
)
from sift.notifications.email.messages import EmailMessage, to_mime
from sift.notifications.email.senders.base import HandOff

log = structlog.get_logger()

_LINE_ENDINGS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _by_reply_code(code: int, reason: str) -> EmailNotSent:
    if 400 <= code < 500:
        return EmailTemporarilyRefused("smtp", f"{code} {reason}")
    return EmailRejected("smtp", f"{code} {reason}")


class _HandOffSmtp(aiosmtplib.SMTP):
    """aiosmtplib's client whose DATA stops before the final dot to await `handing_off`."""

    def __init__(self, handing_off: HandOff | None, **options: Any) -> None:
        super().__init__(**options)
        self.handing_off = handing_off

    async def data(  # aiosmtplib's own signature
        self,
        message: str | bytes,
        /,
        *,
        timeout: float | Default | None = Default.token,  # noqa: ASYNC109
    ) -> aiosmtplib.SMTPResponse:
        if self.protocol is None:
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        wait = self.timeout if timeout is Default.token else timeout
        raw = message.encode("ascii") if isinstance(message, str) else message
        body = _LEADING_DOT.sub(b"..", _LINE_ENDINGS.sub(b"\r\n", raw))
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        start = await self.execute_command(b"DATA", timeout=wait)
        if start.code != aiosmtplib.SMTPStatus.start_input:
            raise aiosmtplib.SMTPDataError(start.code, start.message)
        self.protocol.write(body)
        if self.handing_off is not None:
            try:
                await self.handing_off()
            except BaseException:
                self.close()  # mid-DATA without the dot: the server keeps nothing
                raise
        self.protocol.write(b".\r\n")
        try:
            answer = await self.protocol.read_response(timeout=wait)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError) as exc:
            self.close()
            raise EmailOutcomeUnknown(
                "smtp", f"no answer after the end of DATA: {type(exc).__name__}: {exc}"
            ) from exc
        if answer.code != aiosmtplib.SMTPStatus.completed:
            raise aiosmtplib.SMTPDataError(answer.code, answer.message)
        return answer


class SmtpSender:
    provider = "smtp"

    def __init__(self, config: EmailSettings) -> None:
        self.config = config

    async def send(self, message: EmailMessage, *, handing_off: HandOff | None = None) -> str:
        """Hands the message to the server; the ID is the `Message-ID` it was sent with."""
        config = self.config
        mime = to_mime(message, config.sender)
        password = config.smtp_password.get_secret_value() if config.smtp_password else None
        client = _HandOffSmtp(
            handing_off,
            hostname=config.smtp_host,
            port=config.smtp_port_or_capture,
            username=config.smtp_username,
            password=password,
            use_tls=config.smtp_security == "tls",
            start_tls=config.smtp_security == "starttls",
            timeout=config.timeout_seconds,
        )
        try:
            async with client:
                await client.send_message(mime)
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
