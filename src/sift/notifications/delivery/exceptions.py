"""Errors of delivery: what the admin routes and the unsubscribe link answer."""

from __future__ import annotations

from sift.core.errors import BadRequest, Conflict, NotFound


class DeliveryNotFound(NotFound):
    code = "delivery-not-found"
    title = "Delivery not found"


class SuppressionNotFound(NotFound):
    """Not on the list, or not an address the caller's organization ever mailed."""

    code = "suppression-not-found"
    title = "Address not suppressed"


class DeliveryNotRetryable(Conflict):
    code = "delivery-not-retryable"
    title = "Only a failed or dead delivery can be retried"


class NotUnsubscribable(BadRequest):
    code = "not-unsubscribable"
    title = "This kind of mail cannot be switched off"


class DeliveryDead(Exception):
    """Raised by the task when a delivery died, so that it also leaves a dead letter."""


class ClaimLost(Exception):
    """The worker's claim was recovered as stale before it handed the mail over: the mail
    is another attempt's now, and this one must not send it."""
