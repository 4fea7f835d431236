"""Amazon SNS on 127.0.0.1: the signer of the messages SES publishes through it, and the
host of its signing certificate and subscription-confirmation link.

Like SNS, it signs with an RSA key whose self-made certificate it serves (at
`/SimpleNotificationService-<id>.pem`), SHA1 for `SignatureVersion` 1 and SHA256 for 2,
over the canonical string AWS documents (built here on its own, not with the code under
test). `GET /?Action=ConfirmSubscription&TopicArn=...&Token=...` confirms a subscription
whose token it issued, as SNS does, and answers 404 otherwise. It counts certificate
downloads (`certificate_fetches`) and keeps confirmed topics (`confirmed`).
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests.fakes.serving import serve_fake

REGION = "eu-west-1"
TOPIC_ARN = f"arn:aws:sns:{REGION}:123456789012:sift-ses-feedback"
_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
}  # fmt: skip


def _certificate(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class FakeSns:
    url: str
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    certificate_path: str = field(
        default_factory=lambda: f"/SimpleNotificationService-{uuid.uuid4().hex}.pem"
    )
    certificate_fetches: int = 0
    tokens: dict[str, str] = field(default_factory=dict)  # token -> topic
    confirmed: list[str] = field(default_factory=list)

    @property
    def certificate_url(self) -> str:
        return f"{self.url}{self.certificate_path}"

    def sign(self, message: dict[str, Any], *, version: str = "1") -> dict[str, Any]:
        text = "".join(
            f"{name}\n{message[name]}\n" for name in _FIELDS[message["Type"]] if name in message
        )
        digest = hashes.SHA1() if version == "1" else hashes.SHA256()  # SNS signs v1 with SHA1
        signature = self.key.sign(text.encode(), padding.PKCS1v15(), digest)
        return {
            **message,
            "SignatureVersion": version,
            "Signature": base64.b64encode(signature).decode(),
            "SigningCertURL": self.certificate_url,
        }

    def _base(self, kind: str, topic: str) -> dict[str, Any]:
        return {
            "Type": kind,
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic,
            "Timestamp": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }

    def notification(
        self, ses_message: dict[str, Any], *, topic: str = TOPIC_ARN, version: str = "1"
    ) -> bytes:
        """An SES notification as SNS posts it to an HTTPS subscriber."""
        message = {
            **self._base("Notification", topic),
            "Message": json.dumps(ses_message),
            "UnsubscribeURL": f"{self.url}/?Action=Unsubscribe&SubscriptionArn={topic}:1",
        }
        return json.dumps(self.sign(message, version=version)).encode()

    def subscription_confirmation(self, *, topic: str = TOPIC_ARN, version: str = "2") -> bytes:
        token = secrets.token_hex(32)
        self.tokens[token] = topic
        message = {
            **self._base("SubscriptionConfirmation", topic),
            "Token": token,
            "Message": f"You have chosen to subscribe to the topic {topic}.",
            "SubscribeURL": (
                f"{self.url}/?Action=ConfirmSubscription&TopicArn={topic}&Token={token}"
            ),
        }
        return json.dumps(self.sign(message, version=version)).encode()


def ses_bounce(message_id: str, address: str, *, permanent: bool = True) -> dict[str, Any]:
    """SES' bounce notification (identity notifications' shape)."""
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent" if permanent else "Transient",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": datetime.now(UTC).isoformat(),
            "feedbackId": secrets.token_hex(16),
        },
        "mail": {
            "timestamp": datetime.now(UTC).isoformat(),
            "source": "no-reply@sift.localhost",
            "messageId": message_id,
            "destination": [address],
        },
    }


def ses_event(kind: str, message_id: str, address: str) -> dict[str, Any]:
    """SES' `Complaint` or `Delivery` in configuration-set event publishing's shape."""
    body: dict[str, Any] = {
        "eventType": kind,
        "mail": {"messageId": message_id, "destination": [address]},
    }
    if kind == "Complaint":
        body["complaint"] = {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
        }
    else:
        body["delivery"] = {"recipients": [address], "smtpResponse": "250 2.0.0 OK"}
    return body


def _handler(fake: FakeSns) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes, kind: str = "text/xml") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == fake.certificate_path:
                fake.certificate_fetches += 1
                self._answer(200, _certificate(fake.key), "application/x-pem-file")
                return
            query = {name: values[0] for name, values in parse_qs(parts.query).items()}
            token, topic = query.get("Token", ""), query.get("TopicArn")
            if query.get("Action") == "ConfirmSubscription" and fake.tokens.get(token) == topic:
                assert topic is not None
                fake.confirmed.append(topic)
                self._answer(200, b"<ConfirmSubscriptionResponse/>")
                return
            self._answer(404, b"<Error><Code>NotFound</Code></Error>")

    return Handler


@contextmanager
def fake_sns() -> Iterator[FakeSns]:
    """`with fake_sns() as sns:` the signer and its certificate host for one test."""
    with serve_fake(FakeSns, _handler) as fake:
        yield fake
