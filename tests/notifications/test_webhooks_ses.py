"""Amazon SES feedback through SNS (`POST /api/notifications/webhooks/ses`): mail sent
through boto3 (to moto's SES behind a SigV4 check), then SES' notifications as SNS posts
them, signed with the fake SNS' key, whose certificate the code fetches from the fake's
host; nothing that does not verify changes anything."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator

import boto3
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.models import Delivery, EmailSuppression
from sift.notifications.email.webhooks import sns as sns_verifier
from tests.conftest import TransactionalDatabase
from tests.fakes import ses as ses_fake
from tests.fakes.ses import FakeSes, fake_ses
from tests.fakes.sns import TOPIC_ARN, FakeSns, fake_sns, ses_bounce, ses_event
from tests.notifications.conftest import NotificationsApi
from tests.notifications.feedback_helpers import PROBLEM, sent_delivery, snapshot

URL = "/api/notifications/webhooks/ses"
FROM = "no-reply@sift.localhost"


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


@pytest.fixture
def sns() -> Iterator[FakeSns]:
    sns_verifier.certificates.clear()  # each test sees its own fetches
    with fake_sns() as fake:
        yield fake


@pytest.fixture
def config(
    mail_settings: Callable[..., NotificationsSettings], ses: FakeSes, sns: FakeSns
) -> NotificationsSettings:
    return mail_settings(
        SIFT_NOTIFICATIONS_EMAIL_PROVIDER="ses",
        SIFT_NOTIFICATIONS_EMAIL_FROM_ADDRESS=FROM,
        SIFT_NOTIFICATIONS_EMAIL_SES_REGION=ses.region,
        SIFT_NOTIFICATIONS_EMAIL_SES_ENDPOINT_URL=ses.url,
        SIFT_NOTIFICATIONS_EMAIL_SES_ACCESS_KEY_ID=ses_fake.ACCESS_KEY_ID,
        SIFT_NOTIFICATIONS_EMAIL_SES_SECRET_ACCESS_KEY=ses_fake.SECRET_ACCESS_KEY,
        SIFT_NOTIFICATIONS_EMAIL_SES_SNS_TOPIC_ARNS=json.dumps([TOPIC_ARN]),
        # The fake's host instead of AWS' (in production: https://sns.<region>.amazonaws.com/).
        SIFT_NOTIFICATIONS_EMAIL_SES_SNS_URL_PATTERN=rf"^{sns.url}/",
    )


@pytest.fixture
async def sent(
    session: AsyncSession,
    settings: CoreSettings,
    config: NotificationsSettings,
    db_connection: AsyncConnection,
    database: Database,
) -> Delivery:
    address = f"{uuid.uuid4().hex[:8]}@example.org"
    tx = TransactionalDatabase(db_connection, database)
    return await sent_delivery(session, settings, config, tx, address)


async def _post(api: NotificationsApi, body: bytes) -> dict[str, int]:
    # SNS posts JSON labelled text/plain, with its type in a header.
    message_type = json.loads(body)["Type"]
    answer = await api.client.post(
        URL,
        content=body,
        headers={
            "Content-Type": "text/plain; charset=UTF-8",
            "x-amz-sns-message-type": message_type,
        },
    )
    assert answer.status_code == 200, answer.text
    counts: dict[str, int] = answer.json()
    return counts


async def test_a_subscription_is_confirmed_only_for_the_configured_topic(
    api: NotificationsApi, config: NotificationsSettings, sns: FakeSns
) -> None:
    assert await _post(api, sns.subscription_confirmation()) == {
        "received": 0, "updated": 0, "suppressed": 0
    }  # fmt: skip
    assert sns.confirmed == [TOPIC_ARN]

    other = TOPIC_ARN.replace("sift-ses-feedback", "someone-elses")
    answer = await api.client.post(URL, content=sns.subscription_confirmation(topic=other))
    assert answer.status_code == 403 and answer.headers["content-type"].startswith(PROBLEM)
    assert sns.confirmed == [TOPIC_ARN]


async def test_a_confirmation_link_off_the_allowed_hosts_is_never_visited(
    api: NotificationsApi, config: NotificationsSettings, sns: FakeSns
) -> None:
    message = json.loads(sns.subscription_confirmation())
    # Signed as it is: only the host check stands between it and the request.
    message["SubscribeURL"] = "http://169.254.169.254/latest/meta-data/?Action=Confirm"
    fields = {k: v for k, v in message.items() if k not in ("Signature", "SignatureVersion")}
    answer = await api.client.post(URL, content=json.dumps(sns.sign(fields, version="2")).encode())
    assert answer.status_code == 403 and answer.headers["content-type"].startswith(PROBLEM)
    assert sns.confirmed == []


@pytest.mark.parametrize("version", ["1", "2"])
async def test_bounce_and_delivery_reports_follow_the_mail_ses_sent(
    api: NotificationsApi,
    session: AsyncSession,
    sns: FakeSns,
    sent: Delivery,
    version: str,
) -> None:
    assert sent.provider == "ses"
    mid, address = sent.provider_message_id or "", sent.address or ""

    delivered = sns.notification(ses_event("Delivery", mid, address), version=version)
    assert await _post(api, delivered) == {"received": 1, "updated": 1, "suppressed": 0}
    await session.refresh(sent)
    assert sent.status == "delivered"

    bounced = sns.notification(ses_bounce(mid, address), version=version)
    assert await _post(api, bounced) == {"received": 1, "updated": 1, "suppressed": 1}
    await session.refresh(sent)
    assert sent.status == "bounced" and "user unknown" in (sent.error or "")
    suppression = await session.get(EmailSuppression, address)
    assert suppression is not None and (suppression.reason, suppression.provider) == (
        "bounce",
        "ses",
    )
    assert sns.certificate_fetches == 1  # cached after the first message


async def test_a_complaint_suppresses_and_a_transient_bounce_does_not(
    api: NotificationsApi, session: AsyncSession, sns: FakeSns, sent: Delivery
) -> None:
    mid, address = sent.provider_message_id or "", sent.address or ""
    await _post(api, sns.notification(ses_bounce(mid, address, permanent=False)))
    assert await session.get(EmailSuppression, address) is None
    await _post(api, sns.notification(ses_event("Complaint", mid, address)))
    await session.refresh(sent)
    assert sent.status == "complained"
    suppression = await session.get(EmailSuppression, address)
    assert suppression is not None and suppression.reason == "complaint"


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("unsigned", 401),
        ("tampered", 403),
        ("signed by another key", 403),
        ("certificate from another host", 403),
        ("unknown signature version", 403),
        ("another topic", 403),
    ],
)
async def test_what_does_not_verify_is_refused_and_changes_nothing(
    api: NotificationsApi,
    session: AsyncSession,
    sns: FakeSns,
    sent: Delivery,
    case: str,
    status: int,
) -> None:
    mid, address = sent.provider_message_id or "", sent.address or ""
    body = sns.notification(ses_bounce(mid, address))
    message = json.loads(body)
    if case == "unsigned":
        del message["Signature"]
    elif case == "tampered":
        message["Message"] = json.dumps(ses_event("Complaint", mid, address))
    elif case == "signed by another key":
        with fake_sns() as impostor:
            message = impostor.sign({k: message[k] for k in message if k not in ("Signature",)})
            message["SigningCertURL"] = sns.certificate_url  # the genuine certificate
    elif case == "certificate from another host":
        message["SigningCertURL"] = "http://sns.eu-west-1.amazonaws.com.evil.example/cert.pem"
    elif case == "unknown signature version":
        message["SignatureVersion"] = "3"
    elif case == "another topic":
        other = TOPIC_ARN.replace("sift-ses-feedback", "someone-elses")
        message = json.loads(sns.notification(ses_bounce(mid, address), topic=other))
    before = await snapshot(session)

    answer = await api.client.post(URL, content=json.dumps(message).encode())

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert await snapshot(session) == before
    if case == "certificate from another host":
        assert sns.certificate_fetches == 0  # never fetched from a host that is not allowed


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda sns: b"<xml/>", 400),
        (lambda sns: b"[]", 422),
        (lambda sns: json.dumps({"Type": "Gossip"}).encode(), 422),
        (lambda sns: sns.notification({"notificationType": "Bounce"}), 422),  # no `mail`
    ],
)
async def test_a_body_that_is_not_sns_or_ses_is_a_problem(
    api: NotificationsApi,
    session: AsyncSession,
    config: NotificationsSettings,
    sns: FakeSns,
    make: Callable[[FakeSns], bytes],
    status: int,
) -> None:
    before = await snapshot(session)
    answer = await api.client.post(URL, content=make(sns))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert await snapshot(session) == before


async def test_an_unreachable_certificate_host_is_a_503_that_sns_retries(
    api: NotificationsApi, session: AsyncSession, config: NotificationsSettings, sns: FakeSns
) -> None:
    body = sns.notification(ses_event("Delivery", "m", "a@example.org"))
    message = json.loads(body)
    message["SigningCertURL"] = f"{sns.url}/SimpleNotificationService-missing.pem"  # 404
    answer = await api.client.post(URL, content=json.dumps(message).encode())
    assert answer.status_code == 503 and answer.headers["content-type"].startswith(PROBLEM)
