"""The development mail capture: mail sent over SMTP (aiosmtplib) is kept and listed at
`GET /api/dev/mail`, newest first with its links, and only in the development profile."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosmtplib
import pytest

from sift.core.config import CoreSettings, Environment
from sift.notifications.email.capture import links_in
from sift.notifications.email.config import EmailSettings
from sift.notifications.email.content import EmailVerification
from sift.notifications.email.messages import to_mime
from sift.notifications.email.rendering import MailRenderer, Recipient
from sift.runtime.gateway import GatewaySettings
from sift.runtime.gateway.render import build_routes
from sift.runtime.services import service_layouts
from tests.conftest import ClientFactory
from tests.notifications.conftest import Capture

SENDER = "Sift <no-reply@sift.example.org>"


def _verification(settings: CoreSettings, to: str, token: str) -> bytes:
    link = f"{settings.public_url}/verify-email?token={token}&next=%2F"
    expires = datetime.now(UTC) + timedelta(days=2)
    mail = MailRenderer(settings, EmailSettings()).render(
        Recipient(to), EmailVerification(link=link, expires_at=expires)
    )
    return to_mime(mail, SENDER).as_bytes()


async def _send(capture: Capture, raw: bytes, to: str) -> None:
    await aiosmtplib.send(
        raw,
        sender="no-reply@sift.example.org",
        recipients=[to],
        hostname="127.0.0.1",
        port=capture.port,
        start_tls=False,
    )


def _development(settings: CoreSettings, data_dir: Path) -> CoreSettings:
    return settings.model_copy(update={"env": Environment.development, "data_dir": data_dir})


async def test_mail_sent_over_smtp_is_listed_newest_first_with_its_links(
    capture: Capture, settings: CoreSettings, service_client: ClientFactory, tmp_path: Path
) -> None:
    await _send(capture, _verification(settings, "ann@example.org", "first"), "ann@example.org")
    await _send(capture, _verification(settings, "bob@example.org", "second"), "bob@example.org")

    async with service_client(
        "notifications", app_settings=_development(settings, tmp_path)
    ) as client:
        response = await client.get("/api/dev/mail")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["to"] for item in items] == [["bob@example.org"], ["ann@example.org"]]
    newest = items[0]
    assert newest["subject"] == "Confirm your e-mail address"
    assert set(newest) == {"id", "to", "subject", "received_at", "text", "html", "links"}
    assert newest["links"][0] == f"{settings.public_url}/verify-email?token=second&next=%2F"
    assert f"{settings.public_url}/verify-email?token=second&amp;next=%2F" in newest["html"]
    assert "token=second" in newest["text"]
    assert items[0]["received_at"] >= items[1]["received_at"]
    assert items[0]["id"] != items[1]["id"]


async def test_the_envelope_recipients_are_the_mail_s_recipients(
    capture: Capture, settings: CoreSettings
) -> None:
    raw = _verification(settings, "list@example.org", "t")
    await _send(capture, raw, "hidden@example.org")  # a Bcc: not in the headers
    assert capture.store.latest(1)[0].to == ["hidden@example.org"]


async def test_the_capture_keeps_only_the_newest_messages(
    capture: Capture, settings: CoreSettings
) -> None:
    for n in range(5):
        await _send(capture, _verification(settings, "a@example.org", f"t{n}"), "a@example.org")
    (capture.store.directory / "notes.eml").write_text("not one of the capture's files")
    kept = capture.store.latest(50)
    assert len(kept) == 3  # the fixture's capture_max_messages
    assert [message.links[0].split("token=")[1][:2] for message in kept] == ["t4", "t3", "t2"]
    assert capture.store.latest(1)[0].links[0].endswith("token=t4&next=%2F")


async def test_limit_bounds_the_list(
    capture: Capture, settings: CoreSettings, service_client: ClientFactory, tmp_path: Path
) -> None:
    for n in range(2):
        await _send(capture, _verification(settings, "a@example.org", f"t{n}"), "a@example.org")
    async with service_client(
        "notifications", app_settings=_development(settings, tmp_path)
    ) as client:
        one = await client.get("/api/dev/mail", params={"limit": 1})
        bad = await client.get("/api/dev/mail", params={"limit": 0})
    assert len(one.json()["items"]) == 1
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


async def test_an_empty_capture_is_an_empty_list(
    settings: CoreSettings, service_client: ClientFactory, tmp_path: Path
) -> None:
    async with service_client(
        "notifications", app_settings=_development(settings, tmp_path / "never-used")
    ) as client:
        response = await client.get("/api/dev/mail")
    assert response.status_code == 200
    assert response.json() == {"items": []}


@pytest.mark.parametrize("env", [Environment.test, Environment.production])
async def test_outside_development_there_is_no_dev_mail(
    env: Environment,
    capture: Capture,
    settings: CoreSettings,
    service_client: ClientFactory,
    tmp_path: Path,
) -> None:
    await _send(capture, _verification(settings, "a@example.org", "secret"), "a@example.org")
    app_settings = settings.model_copy(update={"env": env, "data_dir": tmp_path})
    async with service_client("notifications", app_settings=app_settings) as client:
        response = await client.get("/api/dev/mail")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not found"
    assert "secret" not in response.text


def test_links_are_found_in_both_parts_once_each() -> None:
    document = f"https://sift.example.org/documents/{uuid.uuid4()}"
    text = f"Open it: {document}.\nOr (https://sift.example.org/search)"
    markup = f"<a href=\"{document}\">x</a> <a href='https://sift.example.org/a?b=1&amp;c=2'>y</a>"
    markup += ' <a href="mailto:x@example.org">m</a> <a href="/relative">r</a>'
    assert links_in(text, markup) == [
        document,
        "https://sift.example.org/search",
        "https://sift.example.org/a?b=1&c=2",
    ]


def test_the_gateway_routes_dev_mail_to_notifications() -> None:
    routes = build_routes(
        list(service_layouts().values()), GatewaySettings(), default_max_body=10 * 1024 * 1024
    )
    owners = {route.path: route.upstream for route in routes}
    assert owners["/api/dev/mail"] == owners["/api/dev/mail/"] == "sift_notifications"


async def test_a_mangled_message_is_shown_not_a_failed_listing(
    capture: Capture, settings: CoreSettings, service_client: ClientFactory, tmp_path: Path
) -> None:
    raw = (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: caf\xe9 \x00 menu\r\n"
        b"Content-Type: text/plain; charset=klingon\r\n\r\nNUL \x00 here\r\n"
    )
    await _send(capture, raw, "b@example.org")
    async with service_client(
        "notifications", app_settings=_development(settings, tmp_path)
    ) as client:
        response = await client.get("/api/dev/mail")
    assert response.status_code == 200, response.text
    [item] = response.json()["items"]
    assert item["text"] == "NUL \ufffd here\n"
    assert item["subject"].startswith("caf") and "\x00" not in item["subject"]
