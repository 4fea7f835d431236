"""`/api/privacy`: export my data, erase my account, follow either request."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import StreamingResponse

from sift.audit.privacy import exceptions
from sift.audit.privacy.auth import AccountManage
from sift.audit.privacy.reauth import IdentityClient, get_identity_client
from sift.audit.privacy.schemas import (
    ErasureCreate,
    ExportRead,
    PrivacyRequestCreated,
    PrivacyRequestRead,
)
from sift.audit.privacy.service import privacy_service
from sift.core.auth import Public
from sift.core.config import CoreSettings
from sift.core.db import ReadSessionDep, SessionDep
from sift.core.privacy import runtime
from sift.core.storage import Storage, create_storage
from sift.core.text import StorableText

router = APIRouter(prefix="/api/privacy", tags=["privacy"])

IdentityDep = Annotated[IdentityClient, Depends(get_identity_client)]


def get_core_settings(request: Request) -> CoreSettings:
    settings: CoreSettings | None = getattr(request.app.state, "settings", None)
    return settings or runtime.settings


SettingsDep = Annotated[CoreSettings, Depends(get_core_settings)]


def get_storage(request: Request) -> Storage:
    storage: Storage | None = getattr(request.app.state, "privacy_storage", None)
    if storage is None:
        storage = create_storage(get_core_settings(request))
        request.app.state.privacy_storage = storage
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]
_NOT_FOUND = exceptions.PrivacyRequestNotFound.openapi()


@router.post("/exports", status_code=status.HTTP_202_ACCEPTED, response_model=PrivacyRequestCreated)
async def request_export(principal: AccountManage, session: SessionDep) -> PrivacyRequestCreated:
    """Ask for an archive of everything Sift holds about you; poll it until it is ready."""
    request = await privacy_service.request_export(session, principal)
    return PrivacyRequestCreated(id=request.id, status=request.status)


@router.get("/exports/{request_id}", response_model=ExportRead, responses=_NOT_FOUND)
async def get_export(
    request_id: uuid.UUID, principal: AccountManage, session: ReadSessionDep, settings: SettingsDep
) -> ExportRead:
    """Your export's progress per service, and its download link once ready."""
    request = await privacy_service.get_own(session, principal, request_id)
    if request.kind != "export":
        raise exceptions.PrivacyRequestNotFound()
    return privacy_service.export_read(settings, request)


@router.get(
    "/exports/{request_id}/download",
    response_class=StreamingResponse,
    dependencies=[Depends(Public("the link's signature and expiry authenticate it"))],
    responses={
        200: {"content": {"application/zip": {}}, "description": "The archive"},
        **exceptions.ExportNotFound.openapi(),
    },
)
async def download_export(
    request_id: uuid.UUID,
    session: ReadSessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    expires: Annotated[int, Query(ge=0, le=2**40)],
    signature: Annotated[StorableText, Query(min_length=1, max_length=128)],
) -> StreamingResponse:
    """The archive behind a signed link (404 once expired, or if the link was altered)."""
    request = await privacy_service.downloadable(
        session, settings, request_id, expires=expires, signature=signature
    )
    assert request.archive_key is not None
    chunks: AsyncIterator[bytes] = await storage.open(request.archive_key)
    return StreamingResponse(
        chunks,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="sift-export-{request_id}.zip"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/erasure",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PrivacyRequestCreated,
    responses={
        **exceptions.ReauthenticationFailed.openapi(),
        **exceptions.ReauthenticationRefused.openapi(),
        **exceptions.ErasureRunning.openapi(),
        **exceptions.OwnershipNeeded.openapi(),
        **exceptions.IdentityUnavailable.openapi(),
    },
)
async def request_erasure(
    principal: AccountManage,
    body: ErasureCreate,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
) -> PrivacyRequestCreated:
    """Erase your account and what it holds, after confirming your password (and code)."""
    await privacy_service.check_no_erasure_running(session, principal.user_id)
    confirmed = await identity.reauthenticate(
        request.headers.get("Authorization", ""), body.password, body.mfa_code
    )
    if confirmed.user_id != principal.user_id:
        raise exceptions.ReauthenticationRefused()
    erasure = await privacy_service.request_erasure(
        session, principal, sole_member_org_ids=confirmed.sole_member_org_ids
    )
    return PrivacyRequestCreated(id=erasure.id, status=erasure.status)


@router.get("/requests/{request_id}", response_model=PrivacyRequestRead, responses=_NOT_FOUND)
async def get_request(
    request_id: uuid.UUID, principal: AccountManage, session: ReadSessionDep
) -> PrivacyRequestRead:
    """One of your privacy requests: progress per service, and the receipt once done."""
    request = await privacy_service.get_own(session, principal, request_id)
    return privacy_service.request_read(request)
