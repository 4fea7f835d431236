"""An organization's erasure, as audit follows it.

Identity checks the owner and hides the organization, then announces
`organization.deletion_requested`; here the privacy request opens (with the ID identity
chose, so the owner can follow it at once) and every content service is asked to erase
the organization. Once they all answered, identity removes the organization itself; its
answer closes the request with a receipt. The audit log keeps the organization's entries.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.analytics.repository import rollup_repository
from sift.audit.models import OutboxEvent
from sift.audit.privacy.config import CONTENT_SERVICES
from sift.audit.privacy.events import events
from sift.audit.privacy.forgetting import forget_in_redis
from sift.audit.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from sift.audit.privacy.receipts import finished
from sift.audit.privacy.repository import privacy_request_repository
from sift.contracts.events import (
    OrganizationDeletionRequested,
    OrganizationErasureRequested,
)
from sift.core.privacy import forget_published_events, runtime
from sift.core.redis import create_redis

log = structlog.get_logger()

IDENTITY = "identity"
PENDING = "pending"


async def open_organization_erasure(
    session: AsyncSession, asked: OrganizationDeletionRequested
) -> PrivacyRequest | None:
    """Opens the request and asks every content service; once (redelivery adds nothing)."""
    if await privacy_request_repository.get(session, asked.request_id) is not None:
        return None
    request = PrivacyRequest(
        id=asked.request_id,
        kind=RequestKind.organization_erasure,
        status=RequestStatus.pending,
        user_id=asked.requested_by,
        org_id=asked.org_id,
        services={name: {"status": PENDING} for name in (*CONTENT_SERVICES, IDENTITY)},
    )
    try:
        async with session.begin_nested():
            session.add(request)
            await session.flush()
    except IntegrityError:  # identity refuses a second deletion; this holds if it did not
        log.warning("privacy.organization_erasure_running", request_id=str(asked.request_id))
        return None
    await events.publish(
        session,
        OrganizationErasureRequested(request_id=request.id, org_id=asked.org_id),
        org_id=asked.org_id,
        actor_id=asked.requested_by,
        subject_id=asked.org_id,
    )
    log.info("privacy.organization_erasure_requested", request_id=str(request.id))
    return request


async def finish_organization_erasure(
    session: AsyncSession, request: PrivacyRequest, org_id: uuid.UUID
) -> None:
    """The receipt stays (the owner who asked can read it); the organization's ID goes from
    the request, the analytics roll-ups, audit's published events and Redis. The audit
    log's entries stay."""
    request.org_id = None
    await rollup_repository.forget_organization(session, org_id)
    await forget_published_events(session, OutboxEvent, str(org_id))
    redis = create_redis(runtime.settings)
    try:
        forgotten = await forget_in_redis(redis, runtime.settings, [str(org_id)])
    finally:
        await redis.aclose()
    await events.publish(session, finished(request))
    log.info("privacy.organization_erasure_done", request_id=str(request.id), redis=forgotten)
