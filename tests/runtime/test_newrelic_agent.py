"""New Relic: the agent's configuration generated from settings, and real `sift` processes
that start the agent on it in developer mode (the agent's own stand-in for New Relic: no
network), read back from the audit log of everything the agent would have sent."""

from __future__ import annotations

import ast
import configparser
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from sift.core.config import CoreSettings, Environment
from sift.runtime.embedded_postgres import free_port
from sift.runtime.newrelic_agent import NewRelicSettings, agent_config, config_path, start_agent
from tests.conftest import REDIS_URL

SEPARATOR = "=" * 78


def sent_payloads(audit_log: Path) -> list[tuple[str, Any]]:
    """(method, data) of each request the agent logged (its audit log pretty-prints them)."""
    found = []
    text = audit_log.read_text() if audit_log.is_file() else ""
    for block in text.split(SEPARATOR):
        params = next((line for line in block.splitlines() if line.startswith("PARAMS: ")), None)
        if params is None or "\nDATA: " not in block:  # a response, or cut off mid-write
            continue
        method = ast.literal_eval(params.removeprefix("PARAMS: "))["method"]
        found.append((method, ast.literal_eval(block.split("\nDATA: ", 1)[1].strip())))
    return found


def connected_app_names(audit_log: Path) -> list[str] | None:
    for method, data in sent_payloads(audit_log):
        if method == "connect":
            names: list[str] = data[0]["app_name"]
            return names
    return None


def process_env(base_settings: CoreSettings, tmp_path: Path, audit_log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIFT_NEWRELIC_")}
    return env | {
        "SIFT_ENV": "test",
        "SIFT_DATABASE_URL": str(base_settings.database_url),
        "SIFT_REDIS_URL": REDIS_URL,
        "SIFT_REDIS_PREFIX": f"sift-test-newrelic-{free_port()}:",
        "SIFT_DATA_DIR": str(tmp_path / "data"),
        "SIFT_NEWRELIC_DEVELOPER_MODE": "true",
        "SIFT_NEWRELIC_AUDIT_LOG_FILE": str(audit_log),
        # A loaded CI host can take seconds to register or to write the last harvest.
        "SIFT_NEWRELIC_REGISTRATION_TIMEOUT": "60",
        "SIFT_NEWRELIC_SHUTDOWN_TIMEOUT": "60",
    }


def stop(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    return process.stderr.read().decode(errors="replace") if process.stderr else ""


def test_the_agent_is_off_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("SIFT_NEWRELIC_")]:
        monkeypatch.delenv(name)
    core = CoreSettings(env=Environment.test, data_dir=tmp_path)
    assert NewRelicSettings().enabled is False
    assert start_agent(core, "identity") is None
    assert not config_path(core, "identity").parent.exists()


def test_the_configuration_names_the_process_and_keeps_the_key_out() -> None:
    key = "0123456789abcdef0123456789abcdef0123NRAL"
    settings = NewRelicSettings(
        license_key=SecretStr(key), host="collector.eu01.nr-data.net", developer_mode=False
    )
    assert settings.enabled
    text = agent_config(settings, process="worker", environment="production")
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(text)
    section = parsed["newrelic"]
    assert section["app_name"] == "Sift worker (production);Sift (production)"
    assert section["labels"] == "environment:production;process:worker"
    assert section["developer_mode"] == "false"
    assert section["host"] == "collector.eu01.nr-data.net"
    assert section["transaction_tracer.record_sql"] == "obfuscated"
    assert section["shutdown_timeout"] == "10.0"
    excluded = section["attributes.exclude"].split()
    assert {"request.headers.authorization", "request.headers.cookie"} <= set(excluded)
    assert key not in text and "license_key" not in section


def test_a_service_runs_the_agent_which_records_its_requests(
    base_settings: CoreSettings, tmp_path: Path
) -> None:
    audit_log = tmp_path / "newrelic-audit.log"
    port = free_port()
    argv = ["serve", "identity", "--port", str(port), "--no-reload"]
    server = subprocess.Popen(
        [sys.executable, "-m", "sift.runtime", *argv],
        env=process_env(base_settings, tmp_path, audit_log),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while connected_app_names(audit_log) is None:  # registered before serving
            assert server.poll() is None, stop(server)
            assert time.monotonic() < deadline, "the agent never connected"
            time.sleep(0.2)
        while True:
            try:
                keys = httpx.get(f"http://127.0.0.1:{port}/.well-known/jwks.json", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, stop(server)
                assert time.monotonic() < deadline, "sift serve did not answer"
                time.sleep(0.2)
        assert keys.status_code == 200, keys.text
    finally:
        stderr = stop(server)
    assert server.returncode in (0, -signal.SIGTERM), stderr
    assert connected_app_names(audit_log) == ["Sift identity (test)", "Sift (test)"]
    config = configparser.ConfigParser(interpolation=None)
    config.read(tmp_path / "data" / "newrelic" / "identity.ini")
    assert config["newrelic"]["developer_mode"] == "true"
    # Harvested when the process stopped: the request as a web transaction, by its route.
    events = [
        event[0]
        for method, data in sent_payloads(audit_log)
        if method == "analytic_event_data"
        for event in data[2]
    ]
    names = [event["name"] for event in events if event["type"] == "Transaction"]
    assert any(name.startswith("WebTransaction/") and "jwks" in name for name in names), names


@pytest.mark.parametrize(
    ("argv", "app"),
    [
        (["relay"], "relay"),
        (["worker", "--queues", "default", "--concurrency", "1"], "worker"),
        (["consume", "notifications"], "consume-notifications"),
    ],
)
def test_each_background_process_starts_the_agent(
    base_settings: CoreSettings, tmp_path: Path, argv: list[str], app: str
) -> None:
    audit_log = tmp_path / "newrelic-audit.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "sift.runtime", *argv],
        env=process_env(base_settings, tmp_path, audit_log),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while connected_app_names(audit_log) is None:
            assert process.poll() is None, stop(process)
            assert time.monotonic() < deadline, "the agent never connected"
            time.sleep(0.2)
    finally:
        stop(process)
    assert connected_app_names(audit_log) == [f"Sift {app} (test)", "Sift (test)"]
