"""Privacy requests: open them, follow each service's answer, finish with an archive or receipt."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.pseudonyms import forget_person
from sift.audit.models import OutboxEvent
from sift.audit.privacy import archive, exceptions
from sift.audit.privacy.config import CONTENT_SERVICES, EXPORT_SERVICES, PrivacySettings
from sift.audit.privacy.events import events
from sift.audit.privacy.forgetting import forget_in_redis
from sift.audit.privacy.links import download_path, link_is_valid
from sift.audit.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from sift.audit.privacy.organizations import finish_organization_erasure
from sift.audit.privacy.receipts import finished, member_erased, receipt
from sift.audit.privacy.repository import privacy_request_repository
from sift.audit.privacy.schemas import ExportRead, PrivacyRequestRead
from sift.contracts.events import (
    AccountErasureRequested,
    ErasureCompleted,
    ErasureRequested,
    ExportCompleted,
    ExportReady,
    ExportRequested,
    OrganizationRemovalRequested,
)
from sift.core.auth import Principal
from sift.core.config import CoreSettings
from sift.core.privacy import forget_published_events, runtime
from sift.core.redis import create_redis
from sift.core.storage import ObjectNotFound, Storage

log = structlog.get_logger()

PENDING = "pending"
DONE = "done"
IDENTITY = "identity"
ERASURES = (RequestKind.erasure, RequestKind.organization_erasure)


def _now() -> datetime:
    return datetime.now(UTC)


def service_statuses(request: PrivacyRequest) -> dict[str, str]:
    return {name: str(part.get("status", PENDING)) for name, part in request.services.items()}


class PrivacyService:
    async def request_export(self, session: AsyncSession, principal: Principal) -> PrivacyRequest:
        request = PrivacyRequest(
            kind=RequestKind.export,
            status=RequestStatus.pending,
            user_id=principal.user_id,
            org_id=principal.org_id,
            services={name: {"status": PENDING} for name in EXPORT_SERVICES},
        )
        session.add(request)
        await session.flush()
        await events.publish(
            session,
            ExportRequested(request_id=request.id, user_id=principal.user_id),
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=principal.user_id,
        )
        log.info("privacy.export_requested", request_id=str(request.id))
        return request

    async def check_no_erasure_running(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        if await privacy_request_repository.running_erasure(session, user_id) is not None:
            raise exceptions.ErasureRunning()

    async def request_erasure(
        self,
        session: AsyncSession,
        principal: Principal,
        *,
        sole_member_org_ids: list[uuid.UUID],
    ) -> PrivacyRequest:
        """Opens the erasure (the caller re-authenticated) and asks every service."""
        await self.check_no_erasure_running(session, principal.user_id)
        request = PrivacyRequest(
            kind=RequestKind.erasure,
            status=RequestStatus.pending,
            user_id=principal.user_id,
            org_id=principal.org_id,
            services={name: {"status": PENDING} for name in (*CONTENT_SERVICES, IDENTITY)},
        )
        try:
            async with session.begin_nested():
                session.add(request)
                await session.flush()
        except IntegrityError:  # a concurrent request won the unique index
            raise exceptions.ErasureRunning() from None
        await events.publish(
            session,
            ErasureRequested(
                request_id=request.id,
                user_id=principal.user_id,
                sole_member_org_ids=sole_member_org_ids,
            ),
            # Recorded in the organization the person acted in: its admins see the request
            # and, at the end, its receipt.
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=principal.user_id,
        )
        log.info("privacy.erasure_requested", request_id=str(request.id))
        return request

    async def get_own(
        self, session: AsyncSession, principal: Principal, request_id: uuid.UUID
    ) -> PrivacyRequest:
        request = await privacy_request_repository.get(session, request_id)
        if request is None or request.user_id != principal.user_id:
            raise exceptions.PrivacyRequestNotFound()
        return request

    def export_read(self, settings: CoreSettings, request: PrivacyRequest) -> ExportRead:
        ready = request.status == RequestStatus.ready and request.expires_at is not None
        return ExportRead(
            id=request.id,
            status=request.status,
            services=service_statuses(request),
            created_at=request.created_at,
            finished_at=request.finished_at,
            download_url=(
                download_path(settings, request.id, request.expires_at)
                if ready and request.expires_at is not None
                else None
            ),
            expires_at=request.expires_at if ready else None,
        )

    def request_read(self, request: PrivacyRequest) -> PrivacyRequestRead:
        return PrivacyRequestRead(
            id=request.id,
            kind=request.kind,
            status=request.status,
            services=service_statuses(request),
            created_at=request.created_at,
            finished_at=request.finished_at,
            receipt=request.receipt,
        )

    async def downloadable(
        self,
        session: AsyncSession,
        settings: CoreSettings,
        request_id: uuid.UUID,
        *,
        expires: int,
        signature: str,
    ) -> PrivacyRequest:
        """The export behind a valid, unexpired link; ExportNotFound for anything else."""
        if not link_is_valid(settings, request_id, expires, signature, now=time.time()):
            raise exceptions.ExportNotFound()
        request = await privacy_request_repository.get(session, request_id)
        if (
            request is None
            or request.kind != RequestKind.export
            or request.status != RequestStatus.ready
            or request.archive_key is None
            or request.expires_at is None
            or request.expires_at <= _now()
        ):
            raise exceptions.ExportNotFound()
        return request

    # --- answers of the services (consumers) ---

    async def record_export_part(
        self,
        session: AsyncSession,
        answer: ExportCompleted,
        *,
        config: PrivacySettings,
        storage: Storage | None = None,
    ) -> PrivacyRequest | None:
        request = await privacy_request_repository.get(session, answer.request_id, for_update=True)
        if request is None or request.kind != RequestKind.export:
            log.warning("privacy.unknown_request", request_id=str(answer.request_id))
            return None
        if request.status != RequestStatus.pending:
            return request
        services = dict(request.services)
        services[answer.service] = {
            "status": DONE,
            "storage_key": answer.storage_key,
            "size_bytes": answer.size_bytes,
            "sha256": answer.sha256,
        }
        request.services = services
        if all(part.get("status") == DONE for part in services.values()):
            await self._assemble(session, request, config=config, storage=storage)
        return request

    async def _assemble(
        self,
        session: AsyncSession,
        request: PrivacyRequest,
        *,
        config: PrivacySettings,
        storage: Storage | None,
    ) -> None:
        parts = {name: str(part["storage_key"]) for name, part in request.services.items()}
        try:
            stored = await archive.assemble(
                storage or runtime.storage, request.id, request.created_at, parts
            )
        except ObjectNotFound:
            log.error("privacy.export_part_missing", request_id=str(request.id))
            request.status = RequestStatus.failed
            request.finished_at = _now()
            return
        request.archive_key = stored.key
        request.archive_sha256 = stored.sha256
        request.archive_size = stored.size
        request.status = RequestStatus.ready
        request.finished_at = _now()
        request.expires_at = request.finished_at + timedelta(seconds=config.export_link_seconds)
        assert request.user_id is not None  # an export's owner is only forgotten with its row
        await events.publish(
            session,
            ExportReady(
                request_id=request.id, user_id=request.user_id, expires_at=request.expires_at
            ),
            org_id=request.org_id,
            actor_id=request.user_id,
            subject_id=request.user_id,
        )
        log.info("privacy.export_ready", request_id=str(request.id), size=stored.size)

    async def record_erasure_part(
        self, session: AsyncSession, answer: ErasureCompleted
    ) -> PrivacyRequest | None:
        request = await privacy_request_repository.get(session, answer.request_id, for_update=True)
        if request is None or request.kind not in ERASURES:
            log.warning("privacy.unknown_request", request_id=str(answer.request_id))
            return None
        if request.status != RequestStatus.pending:
            return request
        services = dict(request.services)
        services[answer.service] = {
            "status": DONE,
            "erased": answer.erased,
            "anonymized": answer.anonymized,
            "finished_at": _now().isoformat(),
        }
        request.services = services
        content_done = all(services[name].get("status") == DONE for name in CONTENT_SERVICES)
        if answer.service != IDENTITY and content_done:
            # Last of all, identity deletes the account (the person can no longer sign in)
            # or the organization.
            await events.publish(session, self._last_step(request.id, answer))
        elif answer.service == IDENTITY and content_done:
            request.status = RequestStatus.done
            request.finished_at = _now()
            request.receipt = receipt(request)
            if answer.org_id is not None:
                await finish_organization_erasure(session, request, answer.org_id)
            else:
                await self._finish_erasure(
                    session, request, answer.subject_id, kept_org_ids=answer.kept_org_ids
                )
        return request

    def _last_step(
        self, request_id: uuid.UUID, answer: ErasureCompleted
    ) -> AccountErasureRequested | OrganizationRemovalRequested:
        if answer.org_id is not None:
            return OrganizationRemovalRequested(request_id=request_id, org_id=answer.org_id)
        return AccountErasureRequested(request_id=request_id, user_id=answer.subject_id)

    async def _finish_erasure(
        self,
        session: AsyncSession,
        request: PrivacyRequest,
        user_id: uuid.UUID,
        *,
        kept_org_ids: list[uuid.UUID],
    ) -> None:
        request.user_id = None
        request.org_id = None
        # The person's exports go too: rows and archives.
        storage = runtime.storage
        for export in await privacy_request_repository.exports_of(session, user_id):
            if export.archive_key is not None:
                await storage.delete(export.archive_key)
            await session.delete(export)
        # Organization deletions they asked for keep their receipt, no longer their name.
        await session.execute(
            update(PrivacyRequest).where(PrivacyRequest.user_id == user_id).values(user_id=None)
        )
        await forget_published_events(session, OutboxEvent, str(user_id))
        # The audit log keeps its entries, but their pseudonym can no longer be linked.
        await forget_person(session, user_id)
        redis = create_redis(runtime.settings)
        try:
            forgotten = await forget_in_redis(redis, runtime.settings, [str(user_id)])
        finally:
            await redis.aclose()
        await events.publish(session, finished(request))
        # Each organization the person leaves behind keeps the receipt in its audit log.
        for org_id in kept_org_ids:
            await events.publish(session, member_erased(request), org_id=org_id)
        log.info("privacy.erasure_done", request_id=str(request.id), redis_forgotten=forgotten)


privacy_service = PrivacyService()
