"""The notifications group as `sift consume notifications` runs it: one event reaches every
channel that handles it, in-app and e-mail, in one transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from sift.contracts.events.identity import RecoveryCodeUsed
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.models import Delivery
from sift.notifications.events import channels
from tests.notifications.inapp import Inbox, inbox, signing_key

__all__ = ["inbox", "signing_key"]  # fixtures


def test_every_mailed_event_reaches_the_email_channel_of_the_one_group() -> None:
    for event_type in HANDLERS:
        assert "email" in channels.of(event_type), event_type


async def test_a_security_event_is_an_alert_in_app_and_a_mail(inbox: Inbox) -> None:
    me = uuid.uuid4()
    used = RecoveryCodeUsed(user_id=me, email="me@example.com", remaining=7)
    envelope = await inbox.publish(used, producer="identity", subject_id=me)
    await inbox.deliver()
    await inbox.deliver()  # delivered again: nothing more on either channel

    [alert] = await inbox.items(inbox.caller(me))
    assert alert["type"] == "security_alert"
    async with inbox.database.sessionmaker() as session:
        mails = list(
            await session.scalars(select(Delivery).where(Delivery.event_id == envelope.id))
        )
    assert [(mail.channel, mail.kind, mail.user_id) for mail in mails] == [
        ("email", "security_alert", me)
    ]
