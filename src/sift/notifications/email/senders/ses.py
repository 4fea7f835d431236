"""Amazon SES (API v2) through boto3: the raw MIME message, so that our headers (one-click
unsubscribe) go as written. The endpoint is a setting (a local server in tests).

boto3 is synchronous: a send runs in a thread, and botocore's own retries are off because
the delivery worker retries with its own backoff.
"""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from sift.notifications.email.config import EmailSettings
from sift.notifications.email.exceptions import EmailRejected, EmailTemporarilyRefused
from sift.notifications.email.messages import EmailMessage, to_mime
from sift.notifications.email.senders.base import HandOff

log = structlog.get_logger()

# SES error codes that pass; every other refusal (MessageRejected, an unverified sender,
# a suspended account, bad credentials) stays.
_TRANSIENT = {
    "TooManyRequestsException",
    "LimitExceededException",
    "Throttling",
    "ThrottlingException",
    "InternalFailure",
    "ServiceUnavailable",
}


class SesSender:
    provider = "ses"

    def __init__(self, config: EmailSettings) -> None:
        self.config = config
        secret = config.ses_secret_access_key
        self._client: Any = boto3.client(
            "sesv2",
            region_name=config.ses_region,
            endpoint_url=config.ses_endpoint_url,
            aws_access_key_id=config.ses_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=Config(
                retries={"total_max_attempts": 1},
                connect_timeout=config.timeout_seconds,
                read_timeout=config.timeout_seconds,
            ),
        )

    async def send(self, message: EmailMessage, *, handing_off: HandOff | None = None) -> str:
        if handing_off is not None:
            await handing_off()  # one API call: the whole of it is the hand-off
        return await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> str:
        request: dict[str, Any] = {
            "FromEmailAddress": self.config.from_address,
            "Destination": {"ToAddresses": [message.to]},
            "Content": {"Raw": {"Data": to_mime(message, self.config.sender).as_bytes()}},
            "EmailTags": [{"Name": "kind", "Value": message.kind}],
        }
        if self.config.ses_configuration_set:
            request["ConfigurationSetName"] = self.config.ses_configuration_set
        try:
            response = self._client.send_email(**request)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            reason = f"{error.get('Code')}: {error.get('Message')}"
            if error.get("Code") in _TRANSIENT or status == 429 or status >= 500:
                raise EmailTemporarilyRefused(self.provider, reason) from exc
            raise EmailRejected(self.provider, reason) from exc
        except NoCredentialsError as exc:
            raise EmailRejected(self.provider, str(exc)) from exc
        except BotoCoreError as exc:  # unreachable, timed out
            raise EmailTemporarilyRefused(self.provider, f"{type(exc).__name__}: {exc}") from exc
        log.info("notifications.email_sent", provider=self.provider, kind=message.kind)
        return str(response["MessageId"])
