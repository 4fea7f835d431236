"""Argon2id password hashes (parameters recorded in each hash) and the password policy."""

from __future__ import annotations

import asyncio
import secrets
from functools import cache, lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from sift.identity.accounts.exceptions import WeakPassword

MIN_LENGTH = 10
MAX_LENGTH = 256  # a longer "password" is a denial-of-service attempt, not a password
MIN_STRENGTH = 3  # zxcvbn score, 0-4: "safely unguessable" from 3 on
_ESTIMATOR_INPUT = 100  # zxcvbn slows down on long inputs; the head decides anyway


@lru_cache
def hasher(time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> PasswordHasher:
    """Argon2id (RFC 9106's second recommended profile by default)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


@cache
def _dummy_hash(ph: PasswordHasher) -> str:
    return ph.hash(secrets.token_urlsafe(24))


async def hash_password(ph: PasswordHasher, password: str) -> str:
    # Argon2 takes tens of milliseconds of CPU: keep it off the event loop.
    return await asyncio.to_thread(ph.hash, password)


async def verify_password(ph: PasswordHasher, stored: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash: an unknown account costs the same."""

    def verify() -> bool:
        try:
            return ph.verify(stored or _dummy_hash(ph), password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def needs_rehash(ph: PasswordHasher, stored: str) -> bool:
    return ph.check_needs_rehash(stored)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


def check_password_policy(password: str, *, email: str, name: str = "") -> None:
    """Raises `WeakPassword` for short, e-mail-like, common or guessable passwords."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.strip().lower()
    local_part = email.split("@", 1)[0].lower()
    if lowered in {email.lower(), local_part}:
        raise WeakPassword("The password must not be your e-mail address.")
    if lowered in common_passwords():
        raise WeakPassword("This password is among the most common ones; choose another.")
    personal = [email, local_part, name, *name.split()]
    estimate = zxcvbn(password[:_ESTIMATOR_INPUT], user_inputs=personal)
    if estimate["score"] < MIN_STRENGTH:
        hint = estimate["feedback"]["warning"] or "Add more words or characters."
        raise WeakPassword(f"This password is too easy to guess. {hint}".strip())
