"""Which mail still goes to a suppressed address.

- Mail the person asks for at that moment (e-mail verification, password reset) always
  goes: they are there asking, so the address works for them again, or it is their only way
  back in; a new bounce or complaint suppresses it again.
- After a hard bounce (the mailbox does not exist) nothing else goes: it would only bounce
  again and cost the sender's reputation.
- After a complaint (the person said it is spam, i.e. do not mail) only security notices
  still go: they protect the account and cannot be switched off.
- Everything else (documents, saved searches, digests, invitations) stops.

A send held back is recorded as a `suppressed` delivery with the reason, never dropped
silently.
"""

from __future__ import annotations

from sift.notifications.delivery.models import EmailSuppression, SuppressionReason
from sift.notifications.email import content as mail

ASKED_FOR: frozenset[str] = frozenset({mail.EmailVerification.kind, mail.PasswordReset.kind})
_AFTER_COMPLAINT: frozenset[str] = ASKED_FOR | {mail.SecurityAlert.kind}


def allows(kind: str, suppression: EmailSuppression) -> bool:
    """Whether mail of `kind` still goes to an address with this suppression."""
    if suppression.reason == SuppressionReason.complaint:
        return kind in _AFTER_COMPLAINT
    return kind in ASKED_FOR


def why(suppression: EmailSuppression) -> str:
    """The delivery's recorded reason."""
    what = {
        SuppressionReason.bounce: "it bounced for good",
        SuppressionReason.complaint: "its owner marked our mail as spam",
    }.get(SuppressionReason(suppression.reason), suppression.reason)
    when = suppression.updated_at.date().isoformat()
    return f"Suppressed: {suppression.provider} reported on {when} that {what}."
