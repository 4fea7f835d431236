"""The instance's first owner: an account that can sign in before anyone has signed up.

Written in-process through identity's own code, as `sift seed` writes its users: the
account is verified, owns a (shared, not personal) organization, and `user.signed_up` goes
to identity's outbox like any sign-up. Only while the instance has no account at all:
afterwards owners invite people from the app.

In development `sift up` makes one with a random password and prints it once; a note in
the data directory (the address, never the password) lets later starts say who it is. In
production `sift up` prints nothing secret: the operator runs `sift owner create`, which
reads the password from the terminal.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import func, select

from sift.contracts.events.identity import SignupMethod, UserSignedUp
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings, Environment, SiftSettings
from sift.core.db import Database
from sift.identity.accounts.emails import normalize_email
from sift.identity.accounts.exceptions import WeakPassword
from sift.identity.accounts.passwords import check_password_policy, hash_password
from sift.identity.accounts.service import password_hasher
from sift.identity.config import get_identity_settings
from sift.identity.events import events
from sift.identity.models import User
from sift.identity.orgs.service import organization_service
from sift.identity.web import IdentityContext

NOTE = "first-owner.json"
PRINTS_PASSWORD = (Environment.development, Environment.test)
FIRST_OWNER_LOCK = 0x51F7_0001  # a transaction-scoped advisory lock's key


class OwnerSettings(SiftSettings):
    """Environment variables `SIFT_FIRST_OWNER_*`: who `sift up` makes in development."""

    model_config = SettingsConfigDict(env_prefix="SIFT_FIRST_OWNER_")

    email: str = "admin@example.com"
    name: str = Field(default="Administrator", min_length=1, max_length=200)
    organization: str = Field(default="Sift", min_length=1, max_length=200)


class OwnerRefused(RuntimeError):
    """No owner was made: the instance has accounts, or the address or password is unfit."""


@dataclass(frozen=True)
class FirstOwner:
    """What `sift up` tells about signing in."""

    email: str | None  # None: no account yet (production), or not made by `sift up`
    password: str | None = None  # only on the start that made the account
    needs_creating: bool = False  # production with no account: say how to make one


async def has_accounts(database: Database) -> bool:
    async with database.sessionmaker() as session:
        return await session.scalar(select(User.id).limit(1)) is not None


async def create_owner(
    database: Database,
    settings: CoreSettings,
    *,
    email: str,
    password: str,
    name: str,
    organization: str,
) -> User:
    """The first account of the instance, owner of `organization`."""
    try:
        email = normalize_email(email)
    except ValueError as exc:
        raise OwnerRefused(str(exc)) from None
    try:
        check_password_policy(password, email=email, name=name)
    except WeakPassword as exc:
        raise OwnerRefused(f"weak password: {exc.detail}") from None
    context = IdentityContext(settings, get_identity_settings(), AuthSettings())
    password_hash = await hash_password(password_hasher(context), password)
    async with database.sessionmaker() as session:
        # Two stacks (or a stack and `sift owner create`) on one database: one owner.
        await session.execute(select(func.pg_advisory_xact_lock(FIRST_OWNER_LOCK)))
        if await session.scalar(select(User.id).limit(1)) is not None:
            raise OwnerRefused("the instance has accounts already: invite people from the app")
        now = datetime.now(UTC)
        user = User(
            email=email,
            name=name,
            password_hash=password_hash,
            password_changed_at=now,
            email_verified_at=now,  # the operator chose the address; no mail to confirm
        )
        session.add(user)
        await session.flush()
        org, _ = await organization_service.create(session, user, organization)
        user.default_org_id = org.id
        await events.publish(
            session,
            UserSignedUp(user_id=user.id, method=SignupMethod.password, created_organization=True),
            org_id=org.id,
            actor_id=user.id,
            subject_id=user.id,
        )
        await session.commit()
    return user


def generated_password() -> str:
    # About 144 bits; the URL-safe alphabet survives copying from a terminal.
    return secrets.token_urlsafe(18)


def note_path(settings: CoreSettings) -> Path:
    return settings.data_dir.resolve() / NOTE


def remembered_email(settings: CoreSettings) -> str | None:
    try:
        data = json.loads(note_path(settings).read_text())
    except (OSError, ValueError):
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) else None


def remember(settings: CoreSettings, email: str) -> None:
    path = note_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    created_at = datetime.now(UTC).isoformat()
    path.write_text(json.dumps({"email": email, "created_at": created_at}) + "\n")


async def ensure_first_owner(
    database: Database, settings: CoreSettings, owner: OwnerSettings | None = None
) -> FirstOwner:
    """What `sift up` does about the first account, once the migrations have run."""
    if await has_accounts(database):
        return FirstOwner(email=remembered_email(settings))
    if settings.env not in PRINTS_PASSWORD:
        return FirstOwner(email=None, needs_creating=True)
    owner = owner or OwnerSettings()
    password = generated_password()
    user = await create_owner(
        database,
        settings,
        email=owner.email,
        password=password,
        name=owner.name,
        organization=owner.organization,
    )
    remember(settings, user.email)
    return FirstOwner(email=user.email, password=password)
