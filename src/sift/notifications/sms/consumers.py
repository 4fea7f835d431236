"""The SMS channel on the notifications consumer: after the e-mail channel (modules are
imported in name order, `delivery` before `sms`), so that its mails are there to go beside."""

from __future__ import annotations

from sift.contracts.events.privacy import ErasureRequested
from sift.notifications.delivery.catalog import MAIL_TYPES
from sift.notifications.events import register
from sift.notifications.sms.delivery import queue_sms
from sift.notifications.sms.phone import forget_phone

for event_type in MAIL_TYPES:
    register(event_type, queue_sms, channel="sms")
register(ErasureRequested, forget_phone, channel="sms")
