"""TOTP (RFC 6238), recovery codes and SMS codes: generation, storage form, checks."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp

from sift.core.auth.sealing import decrypt, derive_key, encrypt
from sift.core.config import CoreSettings

TOTP_DIGITS = 6
TOTP_PERIOD = 30
TOTP_WINDOW = 1  # one step either side: clock drift and typing time
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
RECOVERY_LENGTH = 10  # 50 bits each
SMS_DIGITS = 6
_SECRET_PURPOSE = "sift.identity.totp-secrets"  # noqa: S105 - a key purpose
_CODE_PURPOSE = "sift.identity.mfa-codes"


def new_totp_secret() -> str:
    return pyotp.random_base32(32)  # 160 bits, as RFC 4226 recommends


def seal_secret(settings: CoreSettings, user_id: str, secret: str) -> bytes:
    """Encrypted at rest; bound to the user so a row copied to another account fails."""
    key = derive_key(settings, _SECRET_PURPOSE)
    return encrypt(key, secret.encode(), context=user_id.encode())


def open_secret(settings: CoreSettings, user_id: str, sealed: bytes) -> str:
    key = derive_key(settings, _SECRET_PURPOSE)
    return decrypt(key, sealed, context=user_id.encode()).decode()


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).provisioning_uri(
        name=account, issuer_name=issuer
    )


def matching_step(
    secret: str, code: str, *, after: int | None, now: float | None = None
) -> int | None:
    """The time step (within the window) whose code is `code` and that is later than `after`.

    Remembering the last accepted step refuses a replayed code, and any earlier one.
    """
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)
    current = int((time.time() if now is None else now) // TOTP_PERIOD)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        expected = totp.at(step * TOTP_PERIOD)
        if hmac.compare_digest(expected, code) and (after is None or step > after):
            return step
    return None


def code_hash(settings: CoreSettings, code: str) -> bytes:
    """Recovery and SMS codes are short: a keyed hash, so a leaked table alone cannot be
    brute-forced offline."""
    key = derive_key(settings, _CODE_PURPOSE)
    return hmac.new(key, code.encode(), hashlib.sha256).digest()


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalize_recovery_code(code: str) -> str | None:
    """`abcde-fghjk` as typed → `ABCDEFGHJK`; None if it cannot be a recovery code."""
    cleaned = code.replace("-", "").replace(" ", "").upper()
    if len(cleaned) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in cleaned):
        return None
    return cleaned


def new_sms_code() -> str:
    return f"{secrets.randbelow(10**SMS_DIGITS):0{SMS_DIGITS}d}"
