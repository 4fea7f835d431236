"""The development mail capture under `sift up`: its process, its port, where to read it.

In development nothing leaves the machine: the SMTP sender's default is this capture, and
the notifications service shows what it caught at `/api/dev/mail`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from sift.core.config import CoreSettings, Environment
from sift.notifications.email.config import EmailSettings
from sift.runtime.supervisor import ProcessSpec

DEV_MAIL_PATH = "/api/dev/mail"


def capture_port(settings: CoreSettings, *, enabled: bool) -> int | None:
    """The port the capture listens on under `sift up`, or None when it does not run."""
    if not enabled or settings.env is not Environment.development:
        return None
    return EmailSettings().capture_port


def capture_spec(port: int, env: Mapping[str, str], *, tier: int) -> ProcessSpec:
    argv = [sys.executable, "-m", "sift.runtime", "mail-capture", "--port", str(port)]
    return ProcessSpec("mail", argv, env=env, tier=tier, port=port)


def mail_url(public_url: str) -> str:
    return f"{public_url.rstrip('/')}{DEV_MAIL_PATH}"


def where_to_read(public_url: str) -> str:
    return f"Mail is caught, not sent: read it at {mail_url(public_url)}"
