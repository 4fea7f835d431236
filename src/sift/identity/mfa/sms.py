"""SMS through Twilio's Messages API with the official SDK (async, over aiohttp).

The API's base URL is a setting: Twilio's by default, a local fake server in tests. The
SDK builds every Messages URL from `client.api.base_url`, so pointing that elsewhere is all
it takes; no `edge`/`region` is set, so the SDK leaves the host alone.
"""

from __future__ import annotations

import structlog
from aiohttp import ClientError
from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from sift.core.errors import ServiceUnavailable
from sift.identity.mfa.config import TwilioSettings

log = structlog.get_logger()


class SmsUnavailable(ServiceUnavailable):
    code = "sms-unavailable"
    title = "Text messages cannot be sent"


class SmsSender:
    def __init__(self, config: TwilioSettings) -> None:
        self.config = config

    async def send(self, to: str, body: str) -> str:
        """Sends `body` to `to` (E.164); returns Twilio's message SID."""
        config = self.config
        if not config.configured:
            raise SmsUnavailable("Text messages are not configured on this server.")
        async with AsyncTwilioHttpClient(timeout=config.timeout_seconds) as http:
            client = Client(
                config.account_sid,
                config.auth_token.get_secret_value(),
                http_client=http,
                environment={},  # no TWILIO_EDGE/REGION from the environment
            )
            client.api.base_url = config.base_url.rstrip("/")
            try:
                message = await client.api.v2010.account.messages.create_async(
                    to=to, from_=config.from_number, body=body
                )
            except (TwilioException, ClientError, OSError, TimeoutError) as exc:
                log.warning("identity.sms_failed", error=type(exc).__name__)
                raise SmsUnavailable("The text message could not be sent; try again.") from exc
        sid = str(message.sid)
        log.info("identity.sms_sent", message_sid=sid)
        return sid
