"""API keys of an organization (`/api/orgs/{org_id}/api-keys`) and their exchange for an
access token (`/api/auth/api-keys/token`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sift.core.auth import Public
from sift.core.auth.revocation import RevocationsDep, RevocationUnavailable
from sift.core.db import ReadSessionDep, SessionDep
from sift.core.errors import BadRequest, RateLimited
from sift.core.pagination import Page
from sift.core.ratelimit import RateLimit
from sift.identity.access import KeysDep
from sift.identity.apikeys.auth import ApiKeysManage
from sift.identity.apikeys.exceptions import (
    ApiKeyNotFound,
    InvalidApiKey,
    PermissionsNotGrantable,
)
from sift.identity.apikeys.schemas import ApiKeyCreate, ApiKeyRead, ApiKeyWithSecret
from sift.identity.apikeys.service import api_key_service
from sift.identity.orgs.exceptions import NotCurrentOrganization
from sift.identity.schemas import AccessTokenRead
from sift.identity.tokens.access import issue_access_token

router = APIRouter(prefix="/api/orgs/{org_id}/api-keys", tags=["api-keys"])
exchange = APIRouter(prefix="/api/auth", tags=["api-keys"])

api_key_scheme = HTTPBearer(
    auto_error=False, scheme_name="ApiKey", description="An API key: sift_<prefix>_<secret>"
)
ApiKeyCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(api_key_scheme)]
ExchangeLimit = Annotated[None, Depends(RateLimit("identity.api_key_exchange", "120/minute"))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyWithSecret,
    responses={
        **PermissionsNotGrantable.openapi(),
        **NotCurrentOrganization.openapi(),
        **BadRequest.openapi(),
    },
)
async def create_api_key(
    principal: ApiKeysManage, org_id: uuid.UUID, body: ApiKeyCreate, session: SessionDep
) -> ApiKeyWithSecret:
    """Create a key with some of your permissions; its secret is shown this once."""
    key, raw = await api_key_service.create(session, principal, org_id, body)
    return ApiKeyWithSecret.from_row(key, key=raw)


@router.get("", response_model=Page[ApiKeyRead], responses=NotCurrentOrganization.openapi())
async def list_api_keys(
    principal: ApiKeysManage, org_id: uuid.UUID, session: ReadSessionDep
) -> Page[ApiKeyRead]:
    """The organization's keys, newest first (never their secrets)."""
    keys = await api_key_service.of_org(session, principal, org_id)
    return Page(items=[ApiKeyRead.from_row(key) for key in keys])


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**ApiKeyNotFound.openapi(), **RevocationUnavailable.openapi()},
)
async def revoke_api_key(
    principal: ApiKeysManage,
    org_id: uuid.UUID,
    key_id: uuid.UUID,
    session: SessionDep,
    revocations: RevocationsDep,
) -> None:
    """Revoke a key: it and its access tokens stop working at once, in every service."""
    await api_key_service.revoke(session, revocations, principal, org_id, key_id)


@exchange.post(
    "/api-keys/token",
    response_model=AccessTokenRead,
    dependencies=[Depends(Public("the API key in the Authorization header authenticates it"))],
    responses={**InvalidApiKey.openapi(), **RateLimited.openapi()},
)
async def exchange_api_key(
    _: ExchangeLimit, credentials: ApiKeyCredentials, session: SessionDep, keys: KeysDep
) -> AccessTokenRead:
    """A short-lived access token (`kind: api_key`) for `Authorization: Bearer sift_...`."""
    if credentials is None or not credentials.credentials:
        raise InvalidApiKey()
    grant = await api_key_service.exchange(session, credentials.credentials)
    access = await issue_access_token(
        keys,
        user_id=grant.key.created_by,
        org_id=grant.key.org_id,
        role=grant.role,
        session_id=None,
        api_key_id=grant.key.id,
        permissions=[p.value for p in grant.permissions],
    )
    return AccessTokenRead.of(access)
