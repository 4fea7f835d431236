"""Error reporting to Sentry, off unless `SIFT_SENTRY_DSN` is set.

Every process calls `init_sentry` once at start (`sift.runtime.cli.load_settings`, the app
factory). What reaches Sentry: an error logged with its exception (`log.exception(...)`,
which is how a request's unexpected error, a crashed ingest or a failed consumer are
logged; `sift.core.logging.report_errors` hands it over), and what the SDK's FastAPI,
Celery and SQLAlchemy integrations catch themselves. Personal data stays out: no request
bodies, cookies, authorization headers or query strings, and every e-mail address or
token in the text of an event is replaced (`scrub_event`).
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
import structlog
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber
from sentry_sdk.types import Event, Hint

from sift.core.config import CoreSettings, SiftSettings

REQUEST_ID_TAG = "request_id"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Bearer credentials, JWTs (access tokens), Sift API keys (`sift_<prefix>_<secret>`).
TOKEN = re.compile(
    r"(?i:bearer)\s+[\w.~+/=-]+|eyJ[\w-]+\.[\w-]+\.[\w-]*|\bsift_[0-9a-f]{12}_[\w-]+"
)
# Request headers that carry credentials or who the caller is; dropped whole.
PRIVATE_HEADERS = {
    "authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "proxy-authorization",
    "x-forwarded-for",
    "x-real-ip",
}
# Parts of a request that are the caller's own data.
DROPPED_REQUEST = {"data", "cookies", "query_string", "env"}
# Keys whose values are scrubbed wherever they appear (extra, contexts, breadcrumbs' data).
DENYLIST = [*DEFAULT_DENYLIST, "email", "access_token", "refresh_token", "phone", "code"]


class SentrySettings(SiftSettings):
    """Environment variables `SIFT_SENTRY_*`."""

    model_config = SettingsConfigDict(env_prefix="SIFT_SENTRY_")

    dsn: SecretStr | None = None  # unset: nothing is initialized, nothing is sent
    environment: str | None = None  # defaults to SIFT_ENV
    release: str | None = None  # defaults to sift@<package version>
    # Performance tracing is OpenTelemetry's part (docs/operations.md); errors only here.
    traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)


def package_release() -> str:
    try:
        return f"sift@{metadata.version('sift')}"
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return "sift@unknown"


def init_sentry(settings: CoreSettings, *, service: str) -> bool:
    """Starts the SDK when a DSN is configured (once per process); True if it runs."""
    config = SentrySettings()
    if config.dsn is None or not config.dsn.get_secret_value():
        return False
    if sentry_sdk.get_client().is_active():
        return True
    # Imported here: a process without a DSN does not pay for Celery's import.
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.fastapi import FastApiIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration
    from sentry_sdk.integrations.starlette import StarletteIntegration

    sentry_sdk.init(
        dsn=config.dsn.get_secret_value(),
        environment=config.environment or settings.env.value,
        release=config.release or package_release(),
        server_name=service,  # the process kind, not the host's name
        send_default_pii=False,
        max_request_body_size="never",
        # A frame's variables hold requests and models with passwords and addresses
        # (their repr), which no key-based scrubbing finds.
        include_local_variables=False,
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=scrub_event,
        before_breadcrumb=_scrub_breadcrumb,
        traces_sample_rate=config.traces_sample_rate,
        integrations=[
            StarletteIntegration(transaction_style="url"),
            FastApiIntegration(transaction_style="url"),
            CeleryIntegration(),
            SqlalchemyIntegration(),
            # Log lines become breadcrumbs; errors arrive through the log processor
            # `report_errors`, the same way whichever logger factory the process uses.
            LoggingIntegration(event_level=None),
        ],
    )
    sentry_sdk.get_global_scope().set_tag("service", service)
    return True


def scrub_text(text: str) -> str:
    return TOKEN.sub("[token]", EMAIL.sub("[email]", text))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: Event, hint: Hint) -> Event | None:
    """`before_send`: the request reduced to what is not personal, e-mails and tokens
    replaced everywhere, the request ID as a tag."""
    data: dict[str, Any] = dict(event)
    data.pop("user", None)
    request = data.get("request")
    if isinstance(request, dict):
        request = {key: value for key, value in request.items() if key not in DROPPED_REQUEST}
        headers = request.get("headers") or {}
        request["headers"] = {
            name: value for name, value in headers.items() if name.lower() not in PRIVATE_HEADERS
        }
        if request.get("url"):
            # The route template (`/api/invitations/{token}/accept`) instead of the path,
            # which may carry a token.
            parts = urlsplit(str(request["url"]))
            route = str(data.get("transaction") or "")
            path = route if route.startswith("/") else parts.path
            request["url"] = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        data["request"] = request
    scrubbed: dict[str, Any] = _scrub(data)
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        scrubbed.setdefault("tags", {})[REQUEST_ID_TAG] = str(request_id)
    return cast(Event, scrubbed)


def _scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    scrubbed: dict[str, Any] = _scrub(crumb)
    return scrubbed
