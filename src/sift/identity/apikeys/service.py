"""API keys: created per organization with a subset of the creator's permissions.

A key reads `sift_<prefix>_<secret>`: the prefix (48 random bits, stored plainly) finds the
row; the secret is 256 random bits, stored as its SHA-256 only. A slow hash (Argon2) adds
nothing against guessing 256 bits and would cost CPU on every exchange, an easy
denial-of-service; it matters only for secrets people choose. A key never holds a
user-only permission, and at every exchange its permissions are cut down to what its
creator's current role allows: a demoted or removed creator takes the key's power with them.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import ApiKeyCreated, ApiKeyRevoked
from sift.core.auth.permissions import USER_ONLY_PERMISSIONS, Permission, Role, permissions_for
from sift.core.auth.principal import Principal
from sift.core.auth.revocation import Revocations
from sift.core.db import ReadSession
from sift.core.errors import BadRequest
from sift.identity.accounts.repository import user_repository
from sift.identity.apikeys.exceptions import ApiKeyNotFound, InvalidApiKey, PermissionsNotGrantable
from sift.identity.apikeys.repository import api_key_repository
from sift.identity.apikeys.schemas import ApiKeyCreate
from sift.identity.events import events
from sift.identity.hashing import sha256
from sift.identity.models import ApiKey
from sift.identity.orgs.repository import membership_repository
from sift.identity.orgs.service import organization_service

KEY_SCHEME = "sift"
PREFIX_BYTES = 6
SECRET_BYTES = 32

log = structlog.get_logger()


def grantable(role: Role | str) -> frozenset[Permission]:
    """What a key made by a member with `role` may hold."""
    return permissions_for(role) - USER_ONLY_PERMISSIONS


def new_key() -> tuple[str, str, str]:
    """(full key, prefix, secret)."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return f"{KEY_SCHEME}_{prefix}_{secret}", prefix, secret


def parse_key(raw: str) -> tuple[str, str] | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != PREFIX_BYTES * 2:
        return None
    if not parts[2] or len(parts[2]) > 128:
        return None
    return parts[1], parts[2]


@dataclass(frozen=True)
class ApiKeyGrant:
    """What an exchanged key may do now."""

    key: ApiKey
    role: Role
    permissions: frozenset[Permission]


class ApiKeyService:
    async def create(
        self, session: AsyncSession, principal: Principal, org_id: uuid.UUID, body: ApiKeyCreate
    ) -> tuple[ApiKey, str]:
        organization_service.require_current(principal, org_id)
        wanted = frozenset(body.permissions)
        beyond = wanted - (grantable(principal.role) & principal.permissions)
        if beyond:
            names = ", ".join(sorted(p.value for p in beyond))
            raise PermissionsNotGrantable(f"A key cannot hold what you may not grant: {names}.")
        now = datetime.now(UTC)
        if body.expires_at is not None and body.expires_at <= now:
            raise BadRequest("`expires_at` must be in the future.")
        raw, prefix, secret = new_key()
        key = ApiKey(
            org_id=org_id,
            created_by=principal.user_id,
            name=body.name,
            prefix=prefix,
            secret_hash=sha256(secret),
            permissions=sorted(p.value for p in wanted),
            created_at=now,
            expires_at=body.expires_at,
        )
        session.add(key)
        await session.flush()
        owner = await user_repository.get(session, principal.user_id)
        await events.publish(
            session,
            ApiKeyCreated(
                api_key_id=key.id,
                org_id=org_id,
                created_by=principal.user_id,
                name=key.name,
                permissions=key.permissions,
                expires_at=key.expires_at,
                email=owner.email if owner is not None else None,
            ),
            org_id=org_id,
            actor_id=principal.user_id,
            subject_id=key.id,
        )
        return key, raw

    async def of_org(
        self, session: ReadSession, principal: Principal, org_id: uuid.UUID
    ) -> list[ApiKey]:
        organization_service.require_current(principal, org_id)
        return await api_key_repository.of_org(session, org_id)

    async def revoke(
        self,
        session: AsyncSession,
        revocations: Revocations,
        principal: Principal,
        org_id: uuid.UUID,
        key_id: uuid.UUID,
    ) -> None:
        organization_service.require_current(principal, org_id)
        key = await api_key_repository.get(session, org_id, key_id, for_update=True)
        if key is None:
            raise ApiKeyNotFound()
        if key.revoked_at is not None:
            return
        key.revoked_at = datetime.now(UTC)
        key.revoked_by = principal.user_id
        await revocations.revoke_api_key(key.id)
        await events.publish(
            session,
            ApiKeyRevoked(api_key_id=key.id, org_id=org_id, revoked_by=principal.user_id),
            org_id=org_id,
            actor_id=principal.user_id,
            subject_id=key.id,
        )

    async def exchange(self, session: AsyncSession, raw: str) -> ApiKeyGrant:
        """The key's grant if it is valid now; marks it used."""
        parsed = parse_key(raw)
        if parsed is None:
            raise InvalidApiKey()
        prefix, secret = parsed
        key = await api_key_repository.by_prefix(session, prefix)
        if key is None or not hmac.compare_digest(key.secret_hash, sha256(secret)):
            raise InvalidApiKey()
        now = datetime.now(UTC)
        if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
            raise InvalidApiKey()
        membership = await membership_repository.get(session, key.org_id, key.created_by)
        creator = await user_repository.get(session, key.created_by)
        if membership is None or creator is None or not creator.is_active:
            raise InvalidApiKey()
        role = Role(membership.role)
        held = frozenset(
            Permission(p) for p in key.permissions if p in Permission._value2member_map_
        )
        key.last_used_at = now
        log.info("identity.api_key_used", api_key_id=str(key.id))
        return ApiKeyGrant(key=key, role=role, permissions=held & grantable(role))


api_key_service = ApiKeyService()
