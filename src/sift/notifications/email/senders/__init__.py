"""The providers that send mail, behind one protocol; `email_sender` picks the configured one
(`SIFT_NOTIFICATIONS_EMAIL_PROVIDER`)."""

from __future__ import annotations

from sift.notifications.email.config import EmailSettings
from sift.notifications.email.senders.base import EmailSender
from sift.notifications.email.senders.sendgrid_api import SendGridSender
from sift.notifications.email.senders.ses import SesSender
from sift.notifications.email.senders.smtp import SmtpSender

__all__ = ["EmailSender", "SendGridSender", "SesSender", "SmtpSender", "email_sender"]


def email_sender(config: EmailSettings) -> EmailSender:
    if config.provider == "sendgrid":
        return SendGridSender(config)
    if config.provider == "ses":
        return SesSender(config)
    return SmtpSender(config)
