"""Text messages through Twilio's Messages API with the official SDK (async, over aiohttp).

As in identity's second-factor SMS, the API's base URL is a setting (a local fake server in
tests) and no edge or region is set. Twilio's answer decides what happens next: 5xx and 429
are worth another try, any other refusal (21211: not a valid number) is for good.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import structlog
from aiohttp import ClientConnectorError, ClientError
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from sift.notifications.sms.config import SmsSettings

log = structlog.get_logger()

PROVIDER = "twilio"


class SmsNotSent(Exception):
    def __init__(self, reason: str, *, retryable: bool, unknown: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.unknown = unknown  # handed over, no answer: it may have gone out


async def no_hand_off() -> None:
    """What a sender runs just before handing the text over, unless told otherwise."""
    return None


class SmsSender(Protocol):
    """Twilio (`TwilioSender`), or in development the local capture (`CaptureSender`)."""

    provider: str

    async def send(
        self,
        to: str,
        body: str,
        *,
        status_callback: str | None = None,
        handing_off: Callable[[], Awaitable[None]] = no_hand_off,
    ) -> str: ...


class TwilioSender:
    provider = PROVIDER

    def __init__(self, config: SmsSettings) -> None:
        self.config = config

    async def send(
        self,
        to: str,
        body: str,
        *,
        status_callback: str | None = None,
        handing_off: Callable[[], Awaitable[None]] = no_hand_off,
    ) -> str:
        """Sends `body` to `to` (E.164); returns Twilio's message SID. `handing_off` runs
        just before the API call (the point of no return)."""
        config = self.config
        if not config.configured:
            raise SmsNotSent("SMS is not configured on this server.", retryable=False)
        async with AsyncTwilioHttpClient(timeout=config.timeout_seconds) as http:
            client = Client(
                config.account_sid,
                config.auth_token.get_secret_value(),
                http_client=http,
                environment={},  # no TWILIO_EDGE/REGION from the environment
            )
            client.api.base_url = config.base_url.rstrip("/")
            extra = {"status_callback": status_callback} if status_callback else {}
            await handing_off()
            try:
                message = await client.api.v2010.account.messages.create_async(
                    to=to, from_=config.from_number, body=body, **extra
                )
            except TwilioRestException as exc:
                retryable = exc.status >= 500 or exc.status == 429
                log.warning("notifications.sms_refused", status=exc.status, code=exc.code)
                raise SmsNotSent(
                    f"Twilio {exc.status} ({exc.code}): {exc.msg}", retryable=retryable
                ) from exc
            except ClientConnectorError as exc:
                # No connection was made: the text certainly did not leave.
                log.warning("notifications.sms_unreachable", error=str(exc))
                raise SmsNotSent(f"Twilio unreachable: {exc}", retryable=True) from exc
            except (TimeoutError, ClientError, OSError, TwilioException) as exc:
                # Handed over and no answer: Twilio may have taken it.
                log.warning("notifications.sms_no_answer", error=type(exc).__name__)
                raise SmsNotSent(
                    f"no answer from Twilio: {type(exc).__name__}", retryable=False, unknown=True
                ) from exc
        return str(message.sid)
