"""Errors of in-app notifications."""

from __future__ import annotations

from sift.core.errors import NotFound


class NotificationNotFound(NotFound):
    code = "notification-not-found"
    title = "Notification not found"

    def __init__(self) -> None:
        super().__init__("You have no notification with this ID.")
