"""Errors of e-mail: rendering, sending and unsubscribe links."""

from __future__ import annotations

from typing import ClassVar

from sift.core.errors import BadRequest, NotFound, SiftError


class TemplateRenderFailed(SiftError):
    """A message could not be rendered; the delivery records `detail` as its reason."""

    code = "email-template-failed"
    title = "The e-mail could not be rendered"


class EmailNotSent(SiftError):
    """A provider did not accept the message; `retryable` says whether to try again."""

    status_code = 502
    code = "email-not-sent"
    title = "The e-mail could not be sent"
    retryable: ClassVar[bool] = False

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"{provider}: {reason}", provider=provider)
        self.provider = provider
        self.reason = reason


class EmailTemporarilyRefused(EmailNotSent):
    """Unreachable, throttled or a 4xx/5xx that passes: the same message may go later."""

    code = "email-temporarily-refused"
    retryable = True


class EmailRejected(EmailNotSent):
    """Refused for good (bad address, unverified sender, wrong credentials): do not retry."""

    code = "email-rejected"


class InvalidUnsubscribeToken(BadRequest):
    code = "invalid-unsubscribe-token"
    title = "Invalid unsubscribe link"


class UnsubscribeTokenExpired(InvalidUnsubscribeToken):
    code = "unsubscribe-token-expired"
    title = "Expired unsubscribe link"


class DevMailNotFound(NotFound):
    """Outside the development profile the captured mail is not there at all."""

    def __init__(self) -> None:
        super().__init__("No resource at this path.")
