"""What people do with deliveries: organization admins list them, read their attempts,
retry a failed one and lift an address off the suppression list; the unsubscribe link
switches e-mail off in the user's preferences, as the settings page does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.notifications import SuppressionLifted
from sift.core.auth import Principal
from sift.core.pagination import cursor_uuid, decode_cursor, page_of
from sift.core.tasks import enqueue_after_commit
from sift.notifications.delivery.address_repository import suppression_repository
from sift.notifications.delivery.config import DeliverySettings
from sift.notifications.delivery.exceptions import (
    DeliveryNotFound,
    DeliveryNotRetryable,
    NotUnsubscribable,
    SuppressionNotFound,
)
from sift.notifications.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus
from sift.notifications.delivery.repository import attempt_repository, delivery_repository
from sift.notifications.delivery.service import send_task
from sift.notifications.email.unsubscribe import Unsubscribe
from sift.notifications.events import events
from sift.notifications.preferences.service import preference_service

log = structlog.get_logger()


class DeliveryAdminService:
    # --- admins --------------------------------------------------------------------------

    async def page(
        self,
        session: AsyncSession,
        principal: Principal,
        *,
        status: DeliveryStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[Sequence[Delivery], str | None]:
        """The organization's deliveries, newest first, and the cursor of the next page."""
        after = decode_cursor(cursor, 1)
        rows = await delivery_repository.list_of_org(
            session,
            principal.org_id,
            status=status,
            limit=limit + 1,
            before=cursor_uuid(after[0]) if after else None,
        )
        return page_of(rows, limit, key=lambda row: (row.id,))

    async def attempts(
        self, session: AsyncSession, principal: Principal, delivery_id: uuid.UUID
    ) -> tuple[Delivery, Sequence[DeliveryAttempt]]:
        delivery = await delivery_repository.get_of_org(session, principal.org_id, delivery_id)
        if delivery is None:
            raise DeliveryNotFound
        return delivery, await attempt_repository.of_delivery(session, delivery.id)

    async def retry(
        self,
        session: AsyncSession,
        principal: Principal,
        delivery_id: uuid.UUID,
        config: DeliverySettings,
    ) -> Delivery:
        """A failed or dead delivery of the caller's organization, queued again."""
        if await delivery_repository.get_of_org(session, principal.org_id, delivery_id) is None:
            raise DeliveryNotFound
        delivery = await delivery_repository.requeue(
            session, delivery_id, more_attempts=config.max_attempts
        )
        if delivery is None:
            raise DeliveryNotRetryable
        enqueue_after_commit(session, send_task(delivery.id))
        log.info("notifications.delivery_retried", delivery_id=str(delivery.id))
        return delivery

    async def lift_suppression(
        self, session: AsyncSession, principal: Principal, address: str
    ) -> None:
        """Takes `address` off the suppression list (a mailbox that works again), if the
        caller's organization ever mailed it: the list is one for the whole deployment, and
        an admin acts only on their own organization's recipients. The event
        `notifications.suppression_lifted` names who did it, for the audit trail."""
        if not await delivery_repository.org_mailed(session, principal.org_id, address):
            raise SuppressionNotFound
        lifted = await suppression_repository.lift(session, address)
        if lifted is None:
            raise SuppressionNotFound
        await events.publish(
            session,
            SuppressionLifted(
                address=lifted.address,
                reason=lifted.reason,
                provider=lifted.provider,
                suppressed_at=lifted.created_at,
            ),
            org_id=principal.org_id,
            actor_id=principal.user_id,
        )
        log.info("notifications.suppression_lifted", reason=lifted.reason)

    async def is_unsubscribed(self, session: AsyncSession, request: Unsubscribe) -> bool:
        self._check_unsubscribable(request)
        return await preference_service.is_unsubscribed(session, request.user_id, request.kind)

    async def unsubscribe(self, session: AsyncSession, request: Unsubscribe) -> None:
        self._check_unsubscribable(request)
        await preference_service.unsubscribe(session, request.user_id, request.kind)
        log.info("notifications.unsubscribed", kind=request.kind)

    @staticmethod
    def _check_unsubscribable(request: Unsubscribe) -> None:
        if not preference_service.unsubscribable(request.kind):
            raise NotUnsubscribable(f"“{request.kind}” mail cannot be switched off.")


delivery_admin_service = DeliveryAdminService()
