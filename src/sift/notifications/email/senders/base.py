"""What every e-mail provider offers: send one message, answer the provider's message ID.

A provider that does not take the message raises `EmailTemporarilyRefused` (try again
later: unreachable, throttled, a passing server error) or `EmailRejected` (never retry).
"""

from __future__ import annotations

from typing import Protocol

from sift.notifications.email.messages import EmailMessage


class EmailSender(Protocol):
    @property
    def provider(self) -> str: ...

    async def send(self, message: EmailMessage) -> str: ...
