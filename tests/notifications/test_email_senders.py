"""Each provider through its real client against a local server that checks what the
provider checks: SMTP (aiosmtplib) into the capture and a relay requiring AUTH, SendGrid
(its SDK) against a fake Mail Send API, SES (boto3 sesv2) against moto behind SigV4."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest
from pydantic import SecretStr

from sift.core.config import CoreSettings, Environment
from sift.notifications.email.config import EmailSettings
from sift.notifications.email.content import DocumentIndexed, DocumentRef
from sift.notifications.email.exceptions import (
    EmailNotSent,
    EmailRejected,
    EmailTemporarilyRefused,
)
from sift.notifications.email.messages import EmailMessage
from sift.notifications.email.rendering import MailRenderer, Recipient
from sift.notifications.email.senders import (
    SendGridSender,
    SesSender,
    SmtpSender,
    email_sender,
)
from sift.runtime.embedded_postgres import free_port
from tests.fakes import ses as ses_fake
from tests.fakes.sendgrid import FakeSendGrid, fake_sendgrid
from tests.fakes.ses import FakeSes, fake_ses
from tests.fakes.smtp import PASSWORD, USERNAME, fake_relay
from tests.notifications.conftest import Capture

FROM = "no-reply@sift.example.org"


@pytest.fixture
def message() -> EmailMessage:
    """A real rendered mail: both parts and the one-click unsubscribe headers."""
    renderer = MailRenderer(
        CoreSettings(env=Environment.test, public_url="https://sift.example.org"),
        EmailSettings(),
    )
    return renderer.render(
        Recipient("ann@example.org", uuid.uuid4()),
        DocumentIndexed(document=DocumentRef(uuid.uuid4(), "Report & <plan>")),
    )


def _config(**values: object) -> EmailSettings:
    return EmailSettings.model_validate({"from_address": FROM, **values})


def test_the_provider_setting_picks_the_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(email_sender(_config()), SmtpSender)
    assert isinstance(email_sender(_config(provider="ses")), SesSender)
    sendgrid = _config(provider="sendgrid", sendgrid_api_key="SG.x")
    assert isinstance(email_sender(sendgrid), SendGridSender)
    monkeypatch.setenv("SIFT_NOTIFICATIONS_EMAIL_PROVIDER", "sendgrid")
    with pytest.raises(ValueError, match="SENDGRID_API_KEY must be set"):
        EmailSettings()


# --- SMTP ---


async def test_smtp_by_default_hands_mail_to_the_local_capture(
    capture: Capture, message: EmailMessage
) -> None:
    config = _config(capture_port=capture.port)  # no SMTP host or port configured
    message_id = await SmtpSender(config).send(message)
    [caught] = capture.store.latest(5)
    assert caught.to == ["ann@example.org"]
    assert caught.subject == message.subject
    assert caught.text == message.text
    assert caught.html == message.html
    assert message_id.startswith("<") and message_id.endswith("@sift.example.org>")


async def test_smtp_signs_in_to_a_relay_and_keeps_the_headers(message: EmailMessage) -> None:
    async with fake_relay() as relay:
        config = _config(
            smtp_port=relay.port,
            smtp_username=USERNAME,
            smtp_password=SecretStr(PASSWORD),
            from_name="Sift Test",
        )
        message_id = await SmtpSender(config).send(message)
    [(recipients, received)] = relay.received
    assert recipients == ["ann@example.org"]
    assert received["Message-ID"] == message_id
    assert received["From"] == f"Sift Test <{FROM}>"
    assert received["List-Unsubscribe"] == message.headers["List-Unsubscribe"]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [part.get_content_type() for part in received.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


@pytest.mark.parametrize(
    ("to", "username", "password", "error", "code"),
    [
        ("ann@example.org", USERNAME, "wrong", EmailRejected, "535"),
        ("ann@example.org", None, None, EmailRejected, "530"),
        ("unknown@example.org", USERNAME, PASSWORD, EmailRejected, "550"),
        ("busy@example.org", USERNAME, PASSWORD, EmailTemporarilyRefused, "451"),
    ],
)
async def test_smtp_refusals_say_whether_to_retry(
    message: EmailMessage,
    to: str,
    username: str | None,
    password: str | None,
    error: type[EmailNotSent],
    code: str,
) -> None:
    async with fake_relay() as relay:
        config = _config(
            smtp_port=relay.port,
            smtp_username=username,
            smtp_password=SecretStr(password) if password else None,
        )
        with pytest.raises(EmailNotSent) as caught:
            await SmtpSender(config).send(EmailMessage(**{**message.__dict__, "to": to}))
    assert type(caught.value) is error
    assert caught.value.retryable is (error is EmailTemporarilyRefused)
    assert caught.value.reason.startswith(code)
    assert relay.received == []


async def test_an_unreachable_smtp_server_is_retryable(message: EmailMessage) -> None:
    config = _config(smtp_port=free_port(), timeout_seconds=2)
    with pytest.raises(EmailTemporarilyRefused) as caught:
        await SmtpSender(config).send(message)
    assert caught.value.retryable and caught.value.provider == "smtp"


# --- SendGrid ---


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    with fake_sendgrid() as fake:
        yield fake


def _sendgrid_config(fake: FakeSendGrid, key: str | None = None) -> EmailSettings:
    return _config(
        provider="sendgrid", sendgrid_api_key=key or fake.api_key, sendgrid_host=fake.url
    )


async def test_sendgrid_sends_both_parts_and_the_headers(
    sendgrid: FakeSendGrid, message: EmailMessage
) -> None:
    message_id = await SendGridSender(_sendgrid_config(sendgrid)).send(message)
    [sent] = sendgrid.sent
    assert sent.message_id == message_id
    assert sent.to == ["ann@example.org"]
    assert sent.body["from"] == {"email": FROM, "name": "Sift"}
    assert sent.body["subject"] == message.subject
    assert sent.content("text/plain") == message.text
    assert sent.content("text/html") == message.html
    assert sent.body["headers"] == dict(message.headers)
    assert sent.body["custom_args"] == {"kind": "document_indexed"}


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, EmailTemporarilyRefused), (503, EmailTemporarilyRefused), (413, EmailRejected)],
)
async def test_sendgrid_outages_are_retryable_and_refusals_are_not(
    sendgrid: FakeSendGrid, message: EmailMessage, status: int, error: type[EmailNotSent]
) -> None:
    sendgrid.fail_with = status
    with pytest.raises(error) as caught:
        await SendGridSender(_sendgrid_config(sendgrid)).send(message)
    assert caught.value.reason.startswith(str(status))


async def test_a_wrong_sendgrid_key_is_refused_for_good(
    sendgrid: FakeSendGrid, message: EmailMessage
) -> None:
    with pytest.raises(EmailRejected) as caught:
        await SendGridSender(_sendgrid_config(sendgrid, "SG.wrong")).send(message)
    assert caught.value.reason == (
        "401 The provided authorization grant is invalid, expired, or revoked"
    )
    assert sendgrid.sent == []


@pytest.mark.parametrize(
    ("to", "reason"),
    [("ann@nowhere", "400 Each personalization"), ("not-an-address", "invalid message")],
)
async def test_an_invalid_address_is_refused_for_good(
    sendgrid: FakeSendGrid, message: EmailMessage, to: str, reason: str
) -> None:
    invalid = EmailMessage(**{**message.__dict__, "to": to})
    with pytest.raises(EmailRejected) as caught:
        await SendGridSender(_sendgrid_config(sendgrid)).send(invalid)
    assert caught.value.reason.startswith(reason)
    assert sendgrid.sent == []


async def test_an_unreachable_sendgrid_is_retryable(message: EmailMessage) -> None:
    config = _config(
        provider="sendgrid",
        sendgrid_api_key="SG.x",
        sendgrid_host=f"http://127.0.0.1:{free_port()}",
    )
    with pytest.raises(EmailTemporarilyRefused):
        await SendGridSender(config).send(message)


# --- Amazon SES ---


@pytest.fixture
def ses() -> Iterator[FakeSes]:
    with fake_ses() as fake:
        admin = boto3.client(
            "sesv2",
            region_name=fake.region,
            endpoint_url=fake.url,
            aws_access_key_id=ses_fake.ACCESS_KEY_ID,
            aws_secret_access_key=ses_fake.SECRET_ACCESS_KEY,
        )
        admin.create_email_identity(EmailIdentity=FROM)  # SES sends only from verified ones
        yield fake


def _ses_config(fake: FakeSes, **values: object) -> EmailSettings:
    return _config(
        **{
            "provider": "ses",
            "ses_region": fake.region,
            "ses_endpoint_url": fake.url,
            "ses_access_key_id": ses_fake.ACCESS_KEY_ID,
            "ses_secret_access_key": ses_fake.SECRET_ACCESS_KEY,
            **values,
        }
    )


async def test_ses_sends_the_raw_message_with_its_headers(
    ses: FakeSes, message: EmailMessage
) -> None:
    message_id = await SesSender(_ses_config(ses)).send(message)
    assert message_id
    [sent] = ses.sent()
    assert sent["To"] == "ann@example.org"
    assert sent["Subject"] == message.subject
    assert sent["List-Unsubscribe"] == message.headers["List-Unsubscribe"]
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.get_body(("html",)).get_content() == message.html  # type: ignore[union-attr]
    assert ses.refused == []


async def test_ses_refuses_a_request_signed_with_the_wrong_secret(
    ses: FakeSes, message: EmailMessage
) -> None:
    config = _ses_config(ses, ses_secret_access_key="not-the-secret")
    with pytest.raises(EmailRejected, match="InvalidSignatureException"):
        await SesSender(config).send(message)
    assert ses.refused == ["InvalidSignatureException"]
    assert ses.sent() == []


async def test_ses_refuses_an_unverified_sender_for_good(
    ses: FakeSes, message: EmailMessage
) -> None:
    config = _ses_config(ses, from_address="someone@unverified.example.org")
    with pytest.raises(EmailRejected, match="MessageRejected"):
        await SesSender(config).send(message)


async def test_ses_throttling_is_retryable(ses: FakeSes, message: EmailMessage) -> None:
    ses.fail_with = (429, "TooManyRequestsException")
    with pytest.raises(EmailTemporarilyRefused, match="TooManyRequestsException"):
        await SesSender(_ses_config(ses)).send(message)


async def test_an_unreachable_ses_is_retryable(message: EmailMessage) -> None:
    config = _config(
        provider="ses",
        ses_endpoint_url=f"http://127.0.0.1:{free_port()}",
        ses_access_key_id="AKIAX",
        ses_secret_access_key="x",
        timeout_seconds=2,
    )
    with pytest.raises(EmailTemporarilyRefused):
        await SesSender(config).send(message)


async def test_starttls_required_but_not_offered_is_a_configuration_error(
    capture: Capture, message: EmailMessage
) -> None:
    config = _config(smtp_port=capture.port, smtp_security="starttls")
    with pytest.raises(EmailRejected, match="STARTTLS"):
        await SmtpSender(config).send(message)
    assert capture.store.latest(5) == []
