"""Amazon SNS messages, verified as AWS documents it, before anything in them is believed.

The signature (RSA, SHA1 for `SignatureVersion` 1, SHA256 for 2) covers a canonical string
of the message's fields; the certificate comes from `SigningCertURL`, fetched only when
the URL matches the allowed pattern (AWS's own hosts over https) and cached. Only messages
of the configured topics are accepted, and a subscription is confirmed (its `SubscribeURL`
fetched, under the same pattern) only for them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from sift.notifications.email.config import EmailSettings
from sift.notifications.email.exceptions import (
    WebhookBodyInvalid,
    WebhookEventsInvalid,
    WebhookNotConfigured,
    WebhookProviderUnreachable,
    WebhookSignatureInvalid,
    WebhookSignatureMissing,
)

log = structlog.get_logger()

NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"

# The fields each type signs, in the order AWS puts them in the string to sign.
_SIGNED = {
    NOTIFICATION: ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    SUBSCRIPTION_CONFIRMATION: (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
}  # fmt: skip
_SIGNED[UNSUBSCRIBE_CONFIRMATION] = _SIGNED[SUBSCRIPTION_CONFIRMATION]
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
_MAX_CERTIFICATE_BYTES = 64 * 1024


@dataclass(frozen=True)
class SnsMessage:
    type: str
    topic_arn: str
    message: str
    subscribe_url: str | None


def canonical(message: dict[str, Any]) -> bytes:
    """The string AWS signs: `name\\nvalue\\n` for each signed field present, in order."""
    lines = []
    for name in _SIGNED[message["Type"]]:
        if name in message and message[name] is not None:
            lines.append(f"{name}\n{message[name]}\n")
    return "".join(lines).encode()


class CertificateCache:
    """Signing certificates by URL, kept `ttl` seconds (AWS rotates them rarely)."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[float, RSAPublicKey]] = {}

    def clear(self) -> None:
        self._keys.clear()

    async def key(self, url: str, config: EmailSettings) -> RSAPublicKey:
        now = time.monotonic()
        cached = self._keys.get(url)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            async with httpx.AsyncClient(timeout=config.timeout_seconds) as client:
                answer = await client.get(url)
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("notifications.sns_certificate_unavailable", error=type(exc).__name__)
            raise WebhookProviderUnreachable(
                "The signing certificate could not be fetched."
            ) from exc
        if len(answer.content) > _MAX_CERTIFICATE_BYTES:
            raise WebhookSignatureInvalid("The signing certificate is not one.")
        try:
            key = x509.load_pem_x509_certificate(answer.content).public_key()
        except ValueError as exc:
            raise WebhookSignatureInvalid("The signing certificate is not one.") from exc
        if not isinstance(key, RSAPublicKey):
            raise WebhookSignatureInvalid("The signing certificate is not an RSA one.")
        if len(self._keys) > 64:  # a handful of regions at most; never grows without bound
            self._keys.clear()
        self._keys[url] = (now + config.ses_sns_certificate_cache_seconds, key)
        return key


certificates = CertificateCache()


def _allowed(url: Any, config: EmailSettings) -> bool:
    return isinstance(url, str) and re.match(config.ses_sns_url_pattern, url) is not None


def _parse(body: bytes) -> dict[str, Any]:
    try:
        message: Any = json.loads(body)
    except ValueError as exc:
        raise WebhookBodyInvalid("The body is not JSON.") from exc
    if not isinstance(message, dict):
        raise WebhookEventsInvalid("An SNS message is a JSON object.")
    return message


async def verify(config: EmailSettings, body: bytes) -> SnsMessage:
    """The message, once its signature, certificate and topic check out; raises otherwise."""
    if not config.ses_sns_topic_arns:
        raise WebhookNotConfigured("Set SIFT_NOTIFICATIONS_EMAIL_SES_SNS_TOPIC_ARNS.")
    message = _parse(body)
    kind = message.get("Type")
    if kind not in _SIGNED:
        raise WebhookEventsInvalid("Not an SNS message type that is handled.")
    signature, version, cert_url = (
        message.get(name) for name in ("Signature", "SignatureVersion", "SigningCertURL")
    )
    if not signature or not version or not cert_url:
        raise WebhookSignatureMissing("The SNS message is not signed.")
    if str(version) not in _HASHES:
        raise WebhookSignatureInvalid("Unknown SignatureVersion.")
    if not _allowed(cert_url, config):
        raise WebhookSignatureInvalid("The signing certificate is not from an allowed host.")
    if not all(isinstance(message.get(name, ""), str) for name in _SIGNED[kind]):
        raise WebhookEventsInvalid("The signed fields of an SNS message are strings.")
    key = await certificates.key(cert_url, config)
    try:
        key.verify(
            base64.b64decode(str(signature), validate=True),
            canonical(message),
            padding.PKCS1v15(),
            _HASHES[str(version)](),
        )
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise WebhookSignatureInvalid("The SNS signature does not verify.") from exc
    topic = message.get("TopicArn")
    if topic not in config.ses_sns_topic_arns:
        raise WebhookSignatureInvalid("Messages of this topic are not accepted.")
    return SnsMessage(
        type=kind,
        topic_arn=str(topic),
        message=str(message.get("Message") or ""),
        subscribe_url=message.get("SubscribeURL"),
    )


async def confirm_subscription(config: EmailSettings, message: SnsMessage) -> None:
    """Visits the `SubscribeURL` of a verified confirmation request of a configured topic."""
    if not _allowed(message.subscribe_url, config):
        raise WebhookSignatureInvalid("The subscription link is not on an allowed host.")
    assert message.subscribe_url is not None
    try:
        async with httpx.AsyncClient(timeout=config.timeout_seconds) as client:
            answer = await client.get(message.subscribe_url)
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        raise WebhookProviderUnreachable("SNS did not take the confirmation.") from exc
    log.info("notifications.sns_subscription_confirmed", topic_arn=message.topic_arn)
