"""Mail from templates: an HTML and a text part per kind, links from the public URL.

Autoescaping is on for every template but the text ones, and an undefined variable is an
error: a template that cannot render raises `TemplateRenderFailed`, never sends half a mail.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jinja2
import structlog

from sift.core.config import CoreSettings
from sift.notifications.email.config import EmailSettings
from sift.notifications.email.content import MailContent
from sift.notifications.email.exceptions import TemplateRenderFailed
from sift.notifications.email.messages import EmailMessage
from sift.notifications.email.unsubscribe import (
    UnsubscribeTokens,
    unsubscribe_headers,
    unsubscribe_url,
)

log = structlog.get_logger()


def _when(moment: datetime) -> str:
    """`4 December 2026, 05:30 UTC`: the same for every reader, whatever their locale."""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("sift.notifications.email", "templates"),
    # Escaped unless it is a text part; a template of another kind would be escaped too.
    autoescape=jinja2.select_autoescape(
        enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",), default=True
    ),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
_templates.filters["when"] = _when


@dataclass(frozen=True)
class Recipient:
    address: str
    # Whose mail it is: needed for an unsubscribe link (an invitee has no account yet).
    user_id: uuid.UUID | None = None


class MailRenderer:
    def __init__(self, settings: CoreSettings, config: EmailSettings) -> None:
        self.public_url = settings.public_url.rstrip("/")
        self.config = config
        self.unsubscribe_tokens = UnsubscribeTokens(
            settings, max_age_days=config.unsubscribe_max_age_days
        )

    def url(self, path: str) -> str:
        return f"{self.public_url}/{path.lstrip('/')}"

    def render(self, recipient: Recipient, content: MailContent) -> EmailMessage:
        headers: dict[str, str] = {}
        unsubscribe: str | None = None
        if content.unsubscribable:
            if recipient.user_id is None:
                raise TemplateRenderFailed(f"{content.kind}: an unsubscribe link needs a user")
            token = self.unsubscribe_tokens.issue(recipient.user_id, content.kind)
            unsubscribe = unsubscribe_url(self.public_url, token)
            headers = unsubscribe_headers(unsubscribe, self.config.unsubscribe_mailto, token)
        context = {
            "content": content,
            "public_url": self.public_url,
            "url": self.url,
            "unsubscribe_url": unsubscribe,
        }
        try:
            subject = " ".join(content.subject.split())  # a header: no line breaks
            html = self._render(f"{content.kind}.html.j2", context)
            text = self._render(f"{content.kind}.txt.j2", context)
        except Exception as exc:  # whatever breaks a template (a value, a filter) is one failure
            log.warning("notifications.email_render_failed", kind=content.kind, error=repr(exc))
            raise TemplateRenderFailed(f"{content.kind}: {type(exc).__name__}: {exc}") from exc
        return EmailMessage(
            to=recipient.address,
            subject=subject,
            text=text,
            html=html,
            kind=content.kind,
            headers=headers,
        )

    @staticmethod
    def _render(name: str, context: dict[str, Any]) -> str:
        rendered = _templates.get_template(name).render(context)
        return re.sub(r"\n{3,}", "\n\n", rendered).strip() + "\n"
