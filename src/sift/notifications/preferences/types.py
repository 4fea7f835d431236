"""The notification types a user sets preferences for, and what each channel calls them.

One list for the whole service: the in-app types (`NotificationType`) plus the link mails
(verification, password reset, invitation), which have no in-app form. Mail kinds map onto
these types, so that the settings page and the unsubscribe link switch off the same thing.
"""

from __future__ import annotations

from enum import StrEnum


class PreferenceType(StrEnum):
    document_indexed = "document_indexed"
    document_index_failed = "document_index_failed"
    saved_search_matched = "saved_search_matched"
    member_added = "member_added"
    collection_access_granted = "collection_access_granted"
    export_ready = "export_ready"  # the person's data export can be downloaded
    security_alert = "security_alert"
    account_links = "account_links"  # verification, password reset, invitation mail


T = PreferenceType

LOCKED: frozenset[PreferenceType] = frozenset({T.security_alert, T.account_links})
"""Mail a person must get (their account's safety, links they asked for): always on."""

LOW_PRIORITY: frozenset[PreferenceType] = frozenset({T.document_indexed, T.saved_search_matched})
"""News that can wait: with a digest on, these are gathered into it instead of mailed one by
one. A failed document and security alerts ask for action, so they are never gathered."""

SMS_TYPES: frozenset[PreferenceType] = frozenset(
    {T.security_alert, T.document_indexed, T.document_index_failed, T.saved_search_matched}
)
"""Types a text can carry (a text goes beside a mail): security alerts go to a verified
phone without asking, the others when switched on. Link mails never go by SMS (a link to a
secret stays in mail)."""

ORDER: tuple[PreferenceType, ...] = tuple(PreferenceType)

# Mail kinds (`email.content`) by the type a user switches them off as; the digest is no
# type of its own: it carries the low-priority types.
_MAIL_KINDS: dict[str, PreferenceType] = {
    "document_indexed": T.document_indexed,
    "document_failed": T.document_index_failed,
    "saved_search_matched": T.saved_search_matched,
    "export_ready": T.export_ready,
    "security_alert": T.security_alert,
    "email_verification": T.account_links,
    "password_reset": T.account_links,
    "invitation": T.account_links,
}
DIGEST_KIND = "digest"


def type_of_mail(kind: str) -> PreferenceType | None:
    """The type a mail kind belongs to; None for the digest and for kinds nobody set."""
    return _MAIL_KINDS.get(kind)
