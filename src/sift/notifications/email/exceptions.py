"""Errors of e-mail: rendering, sending, unsubscribe links and provider webhooks."""

from __future__ import annotations

from typing import ClassVar

from sift.core.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    SiftError,
    Unauthorized,
)


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


class EmailOutcomeUnknown(EmailNotSent):
    """The message was handed over but no answer came (a timeout or a drop after the end
    of DATA): it may have been taken, so sending it again could send it twice."""

    code = "email-outcome-unknown"


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


# --- provider webhooks: nothing changes when one of these is raised -------------------------


class WebhookSignatureMissing(Unauthorized):
    code = "webhook-signature-missing"
    title = "The provider's signature is missing"

    def headers(self) -> dict[str, str]:
        return {}  # not a bearer-token route


class WebhookSignatureInvalid(Forbidden):
    """Wrong signature, a stale timestamp, a certificate from elsewhere, an unknown topic."""

    code = "webhook-signature-invalid"
    title = "The provider's signature does not verify"


class WebhookNotConfigured(Forbidden):
    code = "webhook-not-configured"
    title = "This provider's webhook is not configured"


class WebhookBodyInvalid(BadRequest):
    """Not JSON at all."""

    code = "webhook-body-invalid"
    title = "The webhook body is not valid JSON"


class WebhookEventsInvalid(SiftError):
    """JSON, signed, but not the shape the provider sends."""

    status_code = 422
    code = "webhook-events-invalid"
    title = "The webhook body is not what the provider sends"


class WebhookProviderUnreachable(ServiceUnavailable):
    """The signing certificate or the confirmation link could not be fetched: the provider
    retries later."""

    code = "webhook-provider-unreachable"
    title = "The provider could not be reached"
