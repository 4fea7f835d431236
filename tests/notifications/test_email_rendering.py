"""Mail rendering: both parts of every kind, escaping, links from the public URL, and the
RFC 8058 unsubscribe headers with their signed token."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer

from sift.core.config import CoreSettings, Environment
from sift.notifications.email import content
from sift.notifications.email.config import EmailSettings
from sift.notifications.email.content import DocumentRef, MailContent
from sift.notifications.email.exceptions import (
    InvalidUnsubscribeToken,
    TemplateRenderFailed,
    UnsubscribeTokenExpired,
)
from sift.notifications.email.messages import to_mime
from sift.notifications.email.rendering import MailRenderer, Recipient
from sift.notifications.email.unsubscribe import UnsubscribeTokens

PUBLIC_URL = "https://sift.example.org"
WHEN = datetime(2026, 12, 4, 5, 30, tzinfo=UTC)
USER = uuid.UUID("0193a0a0-0000-7000-8000-000000000001")
DOCUMENT = DocumentRef(uuid.UUID("0193a0a0-0000-7000-8000-0000000000d1"), "Q3 <b>plan</b> & notes")


def _settings(secret: str = "a-test-secret") -> CoreSettings:
    return CoreSettings(env=Environment.test, public_url=PUBLIC_URL + "/", secret_key=secret)


@pytest.fixture
def renderer() -> MailRenderer:
    return MailRenderer(_settings(), EmailSettings(unsubscribe_mailto="unsubscribe@example.org"))


EVERY_KIND: list[MailContent] = [
    content.EmailVerification(link=f"{PUBLIC_URL}/verify-email?token=v1&x=1", expires_at=WHEN),
    content.PasswordReset(link=f"{PUBLIC_URL}/reset-password?token=r1", expires_at=WHEN),
    content.Invitation(
        link=f"{PUBLIC_URL}/invitations?token=i1",
        org_name="Acme",
        role="editor",
        expires_at=WHEN,
        inviter_name="Ann",
    ),
    content.SecurityAlert(
        alert=content.SecurityAlertType.new_sign_in,
        occurred_at=WHEN,
        device="Firefox on Linux",
        ip="203.0.113.9",
    ),
    content.DocumentIndexed(document=DOCUMENT),
    content.DocumentFailed(document=DOCUMENT, reason="The PDF is encrypted."),
    content.SavedSearchMatched(search_name="contracts", documents=[DOCUMENT]),
    content.ExportReady(expires_at=WHEN),
    content.Digest(
        period="weekly",
        items=[content.DigestItem(title="Indexed", body="A document", path=DOCUMENT.path)],
    ),
]


@pytest.mark.parametrize("mail", EVERY_KIND, ids=lambda mail: mail.kind)
def test_every_kind_renders_both_parts(renderer: MailRenderer, mail: MailContent) -> None:
    message = renderer.render(Recipient("ann@example.org", USER), mail)
    assert message.to == "ann@example.org"
    assert message.kind == mail.kind
    assert message.subject == mail.subject
    assert message.html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in message.html
    assert "<" not in message.text.replace("<b>plan</b>", "")  # text, not markup
    assert message.text.startswith(mail.subject)
    # Every link points into the public URL (identity's links are built from it too).
    assert f'href="{PUBLIC_URL}' in message.html
    assert PUBLIC_URL in message.text
    assert "//" not in message.text.replace("https://", "")


def test_dates_read_the_same_everywhere(renderer: MailRenderer) -> None:
    message = renderer.render(Recipient("a@example.org"), EVERY_KIND[0])
    assert "4 December 2026, 05:30 UTC" in message.text
    assert "4 December 2026, 05:30 UTC" in message.html


def test_html_escapes_what_people_typed_and_text_keeps_it(renderer: MailRenderer) -> None:
    message = renderer.render(
        Recipient("a@example.org", USER), content.DocumentIndexed(document=DOCUMENT)
    )
    assert "Q3 &lt;b&gt;plan&lt;/b&gt; &amp; notes" in message.html
    assert "<b>plan</b>" not in message.html
    assert "“Q3 <b>plan</b> & notes” has been processed" in message.text


def test_an_invited_organization_name_cannot_inject_markup(renderer: MailRenderer) -> None:
    invitation = content.Invitation(
        link=f"{PUBLIC_URL}/invitations?token=a&b",
        org_name='<img src=x onerror="alert(1)">',
        role="viewer",
        expires_at=WHEN,
    )
    message = renderer.render(Recipient("new@example.org"), invitation)
    assert "<img" not in message.html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in message.html
    assert f'href="{PUBLIC_URL}/invitations?token=a&amp;b"' in message.html
    assert f"{PUBLIC_URL}/invitations?token=a&b" in message.text


def test_document_and_search_links_are_built_from_the_public_url(renderer: MailRenderer) -> None:
    message = renderer.render(
        Recipient("a@example.org", USER),
        content.SavedSearchMatched(search_name="contracts", documents=[DOCUMENT]),
    )
    assert f"{PUBLIC_URL}/documents/{DOCUMENT.id}" in message.text
    assert f'href="{PUBLIC_URL}/documents/{DOCUMENT.id}"' in message.html
    assert f"{PUBLIC_URL}/search" in message.text


@pytest.mark.parametrize(
    ("alert", "detail", "line"),
    [
        (content.SecurityAlertType.api_key_created, "ci-deploy", "The API key “ci-deploy” was"),
        (content.SecurityAlertType.oauth_linked, "GitHub", "Your GitHub account can now sign"),
        (content.SecurityAlertType.account_locked, "", "Too many wrong passwords"),
    ],
)
def test_a_security_alert_says_what_happened(
    renderer: MailRenderer, alert: content.SecurityAlertType, detail: str, line: str
) -> None:
    message = renderer.render(
        Recipient("a@example.org", USER),
        content.SecurityAlert(alert=alert, occurred_at=WHEN, detail=detail),
    )
    assert line in message.text
    assert f"{PUBLIC_URL}/settings/security" in message.text
    assert "cannot be switched off" in message.text
    assert "List-Unsubscribe" not in message.headers


def test_every_alert_type_has_its_words() -> None:
    for alert in content.SecurityAlertType:
        mail = content.SecurityAlert(alert=alert, occurred_at=WHEN, detail="x")
        assert mail.subject and mail.line


@pytest.mark.parametrize("mail", EVERY_KIND, ids=lambda mail: mail.kind)
def test_only_non_security_mail_can_be_unsubscribed(
    renderer: MailRenderer, mail: MailContent
) -> None:
    message = renderer.render(Recipient("a@example.org", USER), mail)
    transactional = {"email_verification", "password_reset", "invitation", "security_alert"}
    if mail.kind in transactional:
        assert message.headers == {}
        assert "unsubscribe" not in message.text.lower()
        return
    header = message.headers["List-Unsubscribe"]
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = (target.strip().strip("<>") for target in header.split(","))
    assert https.startswith(f"{PUBLIC_URL}/api/notifications/unsubscribe?token=")
    assert mailto.startswith("mailto:unsubscribe@example.org?subject=unsubscribe%20")
    assert https in message.text
    token = parse_qs(urlsplit(https).query)["token"][0]
    assert renderer.unsubscribe_tokens.verify(token).user_id == USER
    assert renderer.unsubscribe_tokens.verify(token).kind == mail.kind


def test_the_headers_survive_into_the_mime_message(renderer: MailRenderer) -> None:
    message = renderer.render(Recipient("a@example.org", USER), EVERY_KIND[4])
    parsed = message_from_bytes(
        to_mime(message, "Sift <no-reply@example.org>").as_bytes(), policy=policy.default
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Unsubscribe"] == message.headers["List-Unsubscribe"]
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content() == message.text  # type: ignore[union-attr]


def test_unsubscribable_mail_without_a_user_is_a_render_failure(renderer: MailRenderer) -> None:
    with pytest.raises(TemplateRenderFailed, match="needs a user"):
        renderer.render(Recipient("a@example.org"), EVERY_KIND[4])


def test_a_template_that_fails_raises_a_typed_error(renderer: MailRenderer) -> None:
    broken = content.SecurityAlert(
        alert=content.SecurityAlertType.new_sign_in,
        occurred_at="not a date",  # type: ignore[arg-type]
    )
    with pytest.raises(TemplateRenderFailed) as caught:
        renderer.render(Recipient("a@example.org", USER), broken)
    assert caught.value.detail.startswith("security_alert: AttributeError")


def test_a_subject_never_spans_lines(renderer: MailRenderer) -> None:
    sneaky = DocumentRef(DOCUMENT.id, "Report\r\nBcc: victim@example.org")
    message = renderer.render(Recipient("a@example.org", USER), content.DocumentIndexed(sneaky))
    assert "\n" not in message.subject and "\r" not in message.subject


# --- the unsubscribe token ---


def test_a_token_is_per_user_and_type() -> None:
    tokens = UnsubscribeTokens(_settings(), max_age_days=1)
    other = uuid.uuid4()
    assert tokens.issue(USER, "digest") != tokens.issue(other, "digest")
    assert tokens.issue(USER, "digest") != tokens.issue(USER, "document_indexed")
    verified = tokens.verify(tokens.issue(other, "document_failed"))
    assert (verified.user_id, verified.kind) == (other, "document_failed")


@pytest.mark.parametrize("tamper", ["other-user", "other-secret", "garbage", "empty", "raw-secret"])
def test_a_forged_token_is_refused(tamper: str) -> None:
    tokens = UnsubscribeTokens(_settings(), max_age_days=1)
    token = tokens.issue(USER, "digest")
    if tamper == "other-user":  # another user's payload under this token's signature
        other_payload = tokens.issue(uuid.uuid4(), "digest").rsplit(".", 2)[0]
        token = ".".join([other_payload, *token.rsplit(".", 2)[1:]])
    elif tamper == "other-secret":
        token = UnsubscribeTokens(_settings("another-secret"), max_age_days=1).issue(USER, "digest")
    elif tamper == "garbage":
        token = "not-a-token"
    elif tamper == "empty":
        token = ""
    else:  # signed with the right salt but not the derived key: the raw secret
        token = URLSafeTimedSerializer(
            "a-test-secret", salt="sift.notifications.unsubscribe"
        ).dumps({"u": str(USER), "k": "digest"})
    with pytest.raises(InvalidUnsubscribeToken) as caught:
        tokens.verify(token)
    assert not isinstance(caught.value, UnsubscribeTokenExpired)
    assert caught.value.status_code == 400


def test_an_old_token_expires() -> None:
    tokens = UnsubscribeTokens(_settings(), max_age_days=1)
    token = tokens.issue(USER, "digest")
    tokens.max_age_seconds = 0
    time.sleep(1.1)  # itsdangerous stamps whole seconds
    with pytest.raises(UnsubscribeTokenExpired):
        tokens.verify(token)
    tokens.max_age_seconds = 3600
    assert tokens.verify(token).user_id == USER
