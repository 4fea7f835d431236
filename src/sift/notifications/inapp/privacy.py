"""In-app notice of the privacy flows: a data export is ready, with a link to the privacy
center where it is downloaded (the link there is the signed one, which the notice never
holds). The mail of the same event is `delivery.catalog`'s."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.privacy import ExportReady
from sift.notifications.email.content import PRIVACY_CENTER
from sift.notifications.events import on
from sift.notifications.inapp.fanout import process_bus
from sift.notifications.inapp.repository import IN_APP
from sift.notifications.inapp.schemas import NotificationType
from sift.notifications.inapp.service import notification_service


@on(ExportReady, channel=IN_APP)
async def on_export_ready(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(ExportReady)
    expires = payload.expires_at.strftime("%-d %B %Y")
    await notification_service.notify(
        session,
        process_bus(),
        envelope,
        user_id=payload.user_id,
        org_id=envelope.org_id,
        type=NotificationType.export_ready,
        title="Your data export is ready",
        body=f"Download it from the privacy center until {expires}.",
        link=PRIVACY_CENTER,
    )
