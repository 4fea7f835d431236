"""`sift up` in development runs the mail capture and says where to read what it caught."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from sift.core.config import CoreSettings, Environment
from sift.notifications.email.capture import MailStore, mail_dir
from sift.notifications.email.config import CAPTURE_PORT
from sift.runtime.embedded_postgres import free_port
from sift.runtime.gateway import GatewaySettings
from sift.runtime.mail import where_to_read
from sift.runtime.services import service_layouts
from sift.runtime.up import TIER_INFRASTRUCTURE, UpError, UpOptions, check_ports, child_specs


def _specs(tmp_path: Path, env: Environment, **options: bool) -> dict[str, list[str]]:
    specs = child_specs(
        CoreSettings(data_dir=tmp_path, env=env),
        service_layouts(),
        UpOptions(**options),
        env={},
        gateway=GatewaySettings(),
        gateway_paths=None,
    )
    return {spec.name: list(spec.argv) for spec in specs if spec.tier == TIER_INFRASTRUCTURE}


def test_up_runs_the_capture_in_development_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT", raising=False)
    mail = _specs(tmp_path, Environment.development)["mail"]
    assert mail[-3:] == ["mail-capture", "--port", str(CAPTURE_PORT)]
    assert "mail" not in _specs(tmp_path, Environment.test)
    assert "mail" not in _specs(tmp_path, Environment.development, mail_capture=False)
    monkeypatch.setenv("SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT", "9125")
    assert _specs(tmp_path, Environment.development)["mail"][-1] == "9125"


def test_a_taken_capture_port_is_named_before_anything_starts() -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        gateway = GatewaySettings(https_port=free_port(), http_port=free_port())
        options = UpOptions(gateway=False)
        with pytest.raises(UpError, match=rf"{taken} \(mail capture\)"):
            check_ports({}, gateway, options, mail_port=taken)


def test_up_says_where_to_read_the_mail() -> None:
    assert where_to_read("https://localhost:8443/") == (
        "Mail is caught, not sent: read it at https://localhost:8443/api/dev/mail"
    )


# In a container of its own (Compose's `mail`) the capture listens on the address it is given.
@pytest.mark.parametrize("host", [None, "127.0.0.2"])
async def test_the_capture_command_keeps_what_it_is_sent(tmp_path: Path, host: str | None) -> None:
    port = free_port()
    env = {**os.environ, "SIFT_DATA_DIR": str(tmp_path), "SIFT_LOG_JSON": "false"}
    if host is not None:
        env["SIFT_NOTIFICATIONS_EMAIL_CAPTURE_HOST"] = host
    process = subprocess.Popen(
        [sys.executable, "-m", "sift.runtime", "mail-capture", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@x.org", "b@x.org", "Hello"
        message.set_content("Open https://sift.example.org/verify-email?token=abc")
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else b""
            try:
                await aiosmtplib.send(
                    message, hostname=host or "127.0.0.1", port=port, start_tls=False
                )
                break
            except aiosmtplib.SMTPConnectError:
                assert time.monotonic() < deadline, "the capture did not answer"
                await asyncio.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == 0
    [caught] = MailStore(mail_dir(tmp_path)).latest(10)
    assert (caught.to, caught.subject) == (["b@x.org"], "Hello")
    assert caught.links == ["https://sift.example.org/verify-email?token=abc"]
