"""The notifications service's part of privacy requests.

Each channel forgets its own rows on `privacy.erasure_requested` (in-app notifications,
preferences, the address book, the phone); this handler runs on the same event, in the same
transaction, removes the deliveries (mail and texts sent, with their addresses and the
suppressions of those addresses) and answers for the service.

An organization's erasure removes the notifications, deliveries and uploads of the
organization (what a member set for themself, like preferences, stays theirs).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import (
    ErasureRequested,
    ExportRequested,
    OrganizationErasureRequested,
)
from sift.core.privacy import (
    ExportPart,
    answer_erasure,
    answer_export,
    delete_by,
    row_dict,
    run_counted,
)
from sift.notifications.delivery.models import Delivery, EmailAddress, EmailSuppression
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.events import events
from sift.notifications.inapp.service import notification_service
from sift.notifications.models import DocumentUpload, KnownSignIn, Notification, OutboxEvent
from sift.notifications.preferences.models import NotificationPreference, RecipientSettings
from sift.notifications.sms.models import PhoneNumber

SERVICE = "notifications"


class NotificationsPrivacyService:
    async def export(self, session: AsyncSession, request: ExportRequested) -> None:
        user_id = request.user_id
        part = ExportPart(SERVICE)
        notifications = await session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
        part.add_json("notifications.json", [row_dict(row) for row in notifications])
        preferences = await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
        settings = await session.get(RecipientSettings, user_id)
        part.add_json(
            "preferences.json",
            {
                "types": [row_dict(row) for row in preferences],
                "settings": row_dict(settings) if settings else None,
            },
        )
        phone = await session.get(PhoneNumber, user_id)
        address = await session.get(EmailAddress, user_id)
        part.add_json(
            "contact.json",
            {
                "phone": row_dict(phone, exclude=("code_hash",)) if phone else None,
                "email": row_dict(address) if address else None,
            },
        )
        deliveries = await session.scalars(
            select(Delivery).where(Delivery.user_id == user_id).order_by(Delivery.created_at)
        )
        part.add_json(
            "deliveries.json",
            [row_dict(row, exclude=("envelope", "facts")) for row in deliveries],
        )
        await answer_export(session, events, request, part)

    async def erase(self, session: AsyncSession, request: ErasureRequested) -> None:
        user_id = request.user_id
        # Rows an earlier event of this consumer batch made for the person are still waiting
        # for the batch's commit: they must not outlive the deletes below.
        notification_service.discard_pending(session, user_id)
        delivery_repository.discard_pending(session, user_id)
        addresses = set(
            (
                await session.scalars(
                    select(Delivery.address).where(
                        Delivery.user_id == user_id, Delivery.address.is_not(None)
                    )
                )
            ).all()
        )
        statements = [
            delete(EmailSuppression).where(EmailSuppression.address.in_(addresses)),
            delete(Delivery).where(Delivery.user_id == user_id),
            # The channels' own handlers remove these too; a second pass costs nothing and
            # holds if one of them is switched off.
            delete(Notification).where(Notification.user_id == user_id),
            delete(DocumentUpload).where(DocumentUpload.uploaded_by == user_id),
            delete(KnownSignIn).where(KnownSignIn.user_id == user_id),
            delete(NotificationPreference).where(NotificationPreference.user_id == user_id),
            delete(RecipientSettings).where(RecipientSettings.user_id == user_id),
            delete(PhoneNumber).where(PhoneNumber.user_id == user_id),
            delete(EmailAddress).where(EmailAddress.user_id == user_id),
        ]
        erased = await run_counted(session, statements)
        await answer_erasure(
            session,
            events,
            request,
            service=SERVICE,
            erased=erased,
            anonymized=0,
            outbox=OutboxEvent,
        )

    async def erase_organization(
        self, session: AsyncSession, request: OrganizationErasureRequested
    ) -> None:
        erased = await delete_by(
            session, (Delivery, Notification, DocumentUpload), org_id=request.org_id
        )
        await answer_erasure(
            session,
            events,
            request,
            service=SERVICE,
            erased=erased,
            anonymized=0,
            outbox=OutboxEvent,
        )


notifications_privacy_service = NotificationsPrivacyService()
