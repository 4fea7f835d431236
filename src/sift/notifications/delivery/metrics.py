"""Prometheus series of delivery (counted in the process that sends: the deliver worker)."""

from __future__ import annotations

from prometheus_client import Counter

NOTIFICATIONS_SENT = Counter(
    "sift_notifications_sent_total",
    "Notifications a provider took, by channel (email, sms) and in-app ones stored (in_app)",
    ("channel",),
)
