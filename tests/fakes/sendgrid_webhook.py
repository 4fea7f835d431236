"""SendGrid's signed Event Webhook, as SendGrid sends it: events about sent mail, signed.

SendGrid holds a P-256 key pair per account; its settings page shows the verification key
(base64 of the DER public key). Each POST carries the events as a JSON array, the Unix
time in `X-Twilio-Email-Event-Webhook-Timestamp`, and the ECDSA (SHA-256) signature of
`timestamp + body`, base64 of DER, in `X-Twilio-Email-Event-Webhook-Signature`. Signed here
with `cryptography` directly, not with the SDK helper the code under test uses.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"


def sg_message_id(x_message_id: str) -> str:
    """The `sg_message_id` of events about a message SendGrid answered with `x_message_id`."""
    return f"{x_message_id}.filterdrecv-7bc86b958d-2bq7x-1-6567A6D5-{secrets.randbelow(99)}.0"


@dataclass
class SendGridEvents:
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def verification_key(self) -> str:
        """What SendGrid's settings page shows, and Sift is configured with."""
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def signed(self, body: bytes, *, at: float | None = None) -> dict[str, str]:
        """The headers SendGrid sends `body` with (signed now, or `at`)."""
        timestamp = str(int(time.time() if at is None else at))
        signature = self.key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            TIMESTAMP: timestamp,
            SIGNATURE: base64.b64encode(signature).decode(),
        }

    @staticmethod
    def event(name: str, email: str, x_message_id: str, **extra: Any) -> dict[str, Any]:
        """One event as SendGrid posts it (with the fields it always adds)."""
        return {
            "email": email,
            "timestamp": int(time.time()),
            "event": name,
            "sg_event_id": secrets.token_urlsafe(16),
            "sg_message_id": sg_message_id(x_message_id),
            "smtp-id": f"<{secrets.token_hex(8)}@sift.localhost>",
            "kind": "security_alert",  # the custom arg the sender adds
            **extra,
        }

    def request(self, *events: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(list(events)).encode()
        return body, self.signed(body)
