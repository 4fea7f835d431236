"""A rendered e-mail, and its MIME form for the providers that take raw messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str
    kind: str  # the notification type, for provider tags and logs
    headers: Mapping[str, str] = field(default_factory=dict)


def to_mime(message: EmailMessage, sender: str) -> MimeMessage:
    """multipart/alternative, text first (the fallback), with a fresh `Message-ID`."""
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2].rstrip(">") or None
    mime["Message-ID"] = make_msgid(domain=domain)
    for name, value in message.headers.items():
        mime[name] = value
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime
