"""One-click unsubscribe (RFC 8058): a signed token per user and notification type.

The token is itsdangerous' timed signature under a key derived from `SIFT_SECRET_KEY` for
this purpose only, so it proves who and what without a database row, and expires.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from sift.core.auth.sealing import derive_key
from sift.core.config import CoreSettings
from sift.notifications.email.exceptions import InvalidUnsubscribeToken, UnsubscribeTokenExpired

UNSUBSCRIBE_PATH = "/api/notifications/unsubscribe"
_PURPOSE = "sift.notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: uuid.UUID
    kind: str


class UnsubscribeTokens:
    def __init__(self, settings: CoreSettings, *, max_age_days: int) -> None:
        self._serializer = URLSafeTimedSerializer(derive_key(settings, _PURPOSE), salt=_PURPOSE)
        self.max_age_seconds = max_age_days * 24 * 3600

    def issue(self, user_id: uuid.UUID, kind: str) -> str:
        return self._serializer.dumps({"u": str(user_id), "k": kind})

    def verify(self, token: str) -> Unsubscribe:
        try:
            payload = self._serializer.loads(token, max_age=self.max_age_seconds)
            return Unsubscribe(user_id=uuid.UUID(payload["u"]), kind=str(payload["k"]))
        except SignatureExpired as exc:
            raise UnsubscribeTokenExpired("This unsubscribe link has expired.") from exc
        except (BadSignature, KeyError, TypeError, ValueError) as exc:
            raise InvalidUnsubscribeToken("This unsubscribe link is not valid.") from exc


def unsubscribe_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{UNSUBSCRIBE_PATH}?{urlencode({'token': token})}"


def unsubscribe_headers(url: str, mailto: str | None, token: str) -> dict[str, str]:
    """`List-Unsubscribe` (the https link, then the mailbox) and RFC 8058's one-click POST."""
    targets = [f"<{url}>"]
    if mailto:
        targets.append(f"<mailto:{mailto}?subject={quote('unsubscribe ' + token)}>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
