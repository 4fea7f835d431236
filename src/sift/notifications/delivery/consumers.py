"""The e-mail channel on the notifications consumer: each handler of `handlers.HANDLERS`
runs, in the event's transaction, beside the in-app channel's handlers."""

from __future__ import annotations

from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.events import consumer, register

for event_type, handler in HANDLERS.items():
    register(event_type, handler, channel="email")
# A batch's deliveries (e-mail and SMS) are stored at once, before its commit.
consumer.add_before_commit(delivery_repository.insert_pending)
