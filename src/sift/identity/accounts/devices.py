"""Device cookies: what makes a browser that signed in before a *trusted* one at sign-in.

A completed sign-in or password reset leaves `sift_device_<tag>` (see `sessions.cookies`):
the account's pseudonym (never the address), a random nonce and an expiry, signed with
HMAC-SHA256 under a key derived from `SIFT_SECRET_KEY`. The signature also covers when the
password was last set, so a password change or reset ends the trust of every device issued
before it. Each account has its own cookie name (`tag` is the start of its pseudonym), so
one browser can be trusted by several accounts. A device cookie only changes how wrong
passwords are counted (`throttle`): it never stands in for the password or the second
factor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sift.core.auth.sealing import derive_key
from sift.identity.hashing import pseudonym
from sift.identity.models import User
from sift.identity.web import IdentityContext

DEVICE_COOKIE_PREFIX = "sift_device_"
_VERSION = "v1"
_TAG_LENGTH = 16
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DeviceCookie:
    name: str
    value: str
    max_age: int


class DeviceCookies:
    def __init__(self, context: IdentityContext) -> None:
        self.context = context
        self._key = derive_key(context.settings, "sift.identity.device-cookies")

    def _account(self, user: User) -> str:
        return pseudonym(self.context.settings, f"device-account:{user.id}")

    def name(self, user: User) -> str:
        return DEVICE_COOKIE_PREFIX + self._account(user)[:_TAG_LENGTH]

    def issue(self, user: User) -> DeviceCookie:
        """A new cookie (fresh nonce and expiry) for the browser that just signed in."""
        max_age = self.context.config.device_cookie_days * 24 * 3600
        expires = int(datetime.now(UTC).timestamp()) + max_age
        value = self.sign(user, secrets.token_urlsafe(16), expires)
        return DeviceCookie(self.name(user), value, max_age)

    def sign(self, user: User, nonce: str, expires: int) -> str:
        """`v1.<account>.<nonce>.<expires>.<signature>`; `expires` in Unix seconds."""
        payload = f"{_VERSION}.{self._account(user)}.{nonce}.{expires}"
        return f"{payload}.{self._signature(user, payload)}"

    def trusted_device(self, user: User, cookies: Mapping[str, str]) -> str | None:
        """The nonce of the valid, unexpired device cookie of `user` among `cookies`, if any."""
        value = cookies.get(self.name(user))
        if value is None:
            return None
        parts = value.split(".")
        if len(parts) != 5 or parts[0] != _VERSION or parts[1] != self._account(user):
            return None
        payload, signature = value.rsplit(".", 1)
        expected = self._signature(user, payload)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            return None
        if not parts[3].isdigit() or int(parts[3]) <= datetime.now(UTC).timestamp():
            return None
        return parts[2]

    def _signature(self, user: User, payload: str) -> str:
        changed = user.password_changed_at
        generation = "" if changed is None else str((changed - _EPOCH) // timedelta(microseconds=1))
        mac = hmac.new(self._key, f"{payload}|{generation}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")
