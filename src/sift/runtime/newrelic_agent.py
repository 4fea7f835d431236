"""New Relic: the agent's configuration written from settings, and the agent started with it
in each process `sift` runs (a service under uvicorn, a Celery worker, the relay, the
consumers, the scheduler).

Off unless `SIFT_NEWRELIC_LICENSE_KEY` is set, or developer mode is on (the agent runs and
records, and sends nothing). The agent hooks the frameworks as they are imported, so
`start_agent` runs before uvicorn, FastAPI or Celery is imported.
"""

from __future__ import annotations

import configparser
import functools
import io
import logging
import os
import secrets
import signal
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import structlog
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from sift.core.config import CoreSettings, SiftSettings

log = structlog.get_logger()

# What New Relic would see of a request besides its route and timing: never credentials,
# cookies or the query string (search terms, tokens in links).
EXCLUDED_ATTRIBUTES = (
    "request.headers.authorization",
    "request.headers.cookie",
    "request.headers.x-api-key",
    "request.parameters.*",
    "request.uri",
)


class NewRelicSettings(SiftSettings):
    """Environment variables `SIFT_NEWRELIC_*`."""

    model_config = SettingsConfigDict(env_prefix="SIFT_NEWRELIC_")

    license_key: SecretStr | None = None
    app_name: str = "Sift"
    environment: str | None = None  # a label on every process's data; default: SIFT_ENV
    # The collector of another region, such as collector.eu01.nr-data.net for the EU.
    host: str | None = None
    # The agent instruments and records, and talks to no one: for tests and trying it out.
    developer_mode: bool = False
    distributed_tracing: bool = True
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "warning"
    # Every payload the agent sends (or, in developer mode, would send), for an audit.
    audit_log_file: Path | None = None
    # Seconds a process waits at start to be registered (what it records before is lost),
    # and at exit for its last harvest to be sent.
    registration_timeout: float = 5.0
    shutdown_timeout: float = 10.0

    @property
    def enabled(self) -> bool:
        return self.license_key is not None or self.developer_mode


def app_names(settings: NewRelicSettings, process: str, environment: str) -> str:
    """The process's own application, then one that rolls up every process of the stack."""
    stack = f"{settings.app_name} ({environment})"
    return f"{settings.app_name} {process} ({environment});{stack}"


def agent_config(settings: NewRelicSettings, *, process: str, environment: str) -> str:
    """The agent's INI file for one process. The license key stays out of it: the agent
    reads it from NEW_RELIC_LICENSE_KEY, which `start_agent` sets in the process only."""
    config = configparser.ConfigParser(interpolation=None)
    config["newrelic"] = {
        "app_name": app_names(settings, process, environment),
        "labels": f"environment:{environment};process:{process}",
        "monitor_mode": "true",
        "developer_mode": str(settings.developer_mode).lower(),
        "log_level": settings.log_level,
        "distributed_tracing.enabled": str(settings.distributed_tracing).lower(),
        "transaction_tracer.record_sql": "obfuscated",
        "attributes.exclude": " ".join(EXCLUDED_ATTRIBUTES),
        # The processes log JSON lines of their own; the agent's would be a second format.
        "application_logging.forwarding.enabled": "false",
        "application_logging.local_decorating.enabled": "false",
        "shutdown_timeout": str(settings.shutdown_timeout),
    }
    if settings.host:
        config["newrelic"]["host"] = settings.host
    if settings.audit_log_file is not None:
        config["newrelic"]["audit_log_file"] = str(settings.audit_log_file)
    out = io.StringIO()
    config.write(out)
    return out.getvalue()


def config_path(core: CoreSettings, process: str) -> Path:
    return core.data_dir / "newrelic" / f"{process}.ini"


def start_agent(
    core: CoreSettings, process: str, settings: NewRelicSettings | None = None
) -> Path | None:
    """Writes the process's configuration and starts the agent on it; None when it is off."""
    settings = settings or NewRelicSettings()
    if not settings.enabled:
        return None
    import newrelic.agent

    environment = settings.environment or core.env.value
    path = config_path(core, process)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Replicas of one service write the same file: each whole, never interleaved.
    temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    temporary.write_text(agent_config(settings, process=process, environment=environment))
    os.replace(temporary, path)
    if settings.license_key is not None:
        os.environ["NEW_RELIC_LICENSE_KEY"] = settings.license_key.get_secret_value()
    # Without a log file of its own the agent logs through `logging`, into the process's
    # JSON lines; its log_level setting applies to its own file only.
    logging.getLogger("newrelic").setLevel(settings.log_level.upper())
    newrelic.agent.initialize(str(path))
    # Registers now, not at the first transaction: what comes before registration is lost.
    newrelic.agent.register_application(timeout=settings.registration_timeout)
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_IGN:
        signal.signal(signal.SIGTERM, functools.partial(_harvest_then_terminate, previous))
    log.info(
        "newrelic.started",
        app_name=app_names(settings, process, environment).split(";")[0],
        developer_mode=settings.developer_mode,
    )
    return path


def _harvest_then_terminate(previous: Any, signum: int, frame: FrameType | None) -> None:
    """uvicorn stops on SIGTERM and then raises it again, to end the process as the signal
    would: the default action skips atexit, and with it the agent's last harvest. A
    handler that was there before (coverage's, in tests) still runs after the harvest."""
    import newrelic.agent

    newrelic.agent.shutdown_agent()
    if callable(previous):
        previous(signum, frame)
        return
    signal.signal(signum, signal.SIG_DFL)
    signal.raise_signal(signum)
