"""What every e-mail provider offers: send one message, answer the provider's message ID.

A provider that does not take the message raises `EmailTemporarilyRefused` (try again
later: unreachable, throttled, a passing server error) or `EmailRejected` (never retry), or
`EmailOutcomeUnknown` when it went silent after the hand-off.

`handing_off`, when given, is awaited just before the point of no return (the end of SMTP
DATA, the API call): a sender that dies before it returns certainly sent nothing, and one
that it raises in sends nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from sift.notifications.email.messages import EmailMessage

HandOff = Callable[[], Awaitable[None]]


class EmailSender(Protocol):
    @property
    def provider(self) -> str: ...

    async def send(self, message: EmailMessage, *, handing_off: HandOff | None = None) -> str: ...
