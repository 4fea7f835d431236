"""What a text says: one or two short lines from the mail's content, no links (a text can
be read over a shoulder or on a locked screen; the details are in the mail and the app)."""

from __future__ import annotations

from sift.notifications.email import content as mail
from sift.notifications.email.exceptions import TemplateRenderFailed

CHECK = "If this was not you, check your Sift account now."


def text(content: mail.MailContent) -> str:
    if isinstance(content, mail.SecurityAlert):
        return f"Sift security alert: {content.line} {CHECK}"
    if isinstance(content, mail.DocumentIndexed | mail.DocumentFailed | mail.SavedSearchMatched):
        return f"Sift: {content.subject}."
    raise TemplateRenderFailed(f"“{content.kind}” is not sent by SMS")
