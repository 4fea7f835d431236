"""Error reporting: a service's unexpected error reaches Sentry (the real SDK, pointed at a
fake ingest endpoint) with its request ID and without the caller's e-mail or tokens.

The failure is a real one: identity served by `sift serve` against a database its
migrations never ran on (a forgotten `sift migrate`), so signing up fails in SQL.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
import sentry_sdk

from sift.core.config import CoreSettings
from sift.core.sentry import init_sentry, scrub_event
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port
from tests.conftest import REDIS_URL, RUN_PREFIX
from tests.fakes.sentry import fake_sentry

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "ada.lovelace@example.com"
PASSWORD = "Vq7#mK2p!xR9-zLw4&Tn-q"
ACCESS_TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLW9mLWFkYQ"
REFRESH_TOKEN = "refresh-4f1c9a7e2b6d4c8a9e0f1a2b3c4d5e6f"


def libpq(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


@pytest.fixture
def unmigrated_database(postgres: EmbeddedPostgres) -> Iterator[str]:
    """A database of the test cluster on which no migration ran."""
    name = f"unmigrated_{uuid.uuid4().hex[:8]}"
    admin = libpq(postgres.url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@asynccontextmanager
async def serving(service: str, env: dict[str, str], log: Path) -> AsyncIterator[str]:
    """`sift serve <service>` in its own process; its base URL once it answers."""
    port = free_port()
    argv = [sys.executable, "-m", "sift.runtime", "serve", service, "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*argv, "--no-reload"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, "the service did not start"
                try:
                    if (await client.get(f"/api/{service}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def test_an_unexpected_error_reaches_sentry_with_its_request_id_and_no_personal_data(
    unmigrated_database: str, tmp_path: Path
) -> None:
    request_id = f"sentry-{uuid.uuid4().hex}"
    with fake_sentry() as sentry:
        env = {
            "SIFT_ENV": "test",
            "SIFT_DATABASE_URL": unmigrated_database,
            "SIFT_REDIS_URL": REDIS_URL,
            "SIFT_REDIS_PREFIX": f"{RUN_PREFIX}{uuid.uuid4().hex[:8]}:",
            "SIFT_DATA_DIR": str(tmp_path / "data"),
            "SIFT_LOG_JSON": "true",
            "SIFT_SENTRY_DSN": sentry.dsn,
            "SIFT_SENTRY_ENVIRONMENT": "staging",
            "SIFT_SENTRY_RELEASE": "sift@9.9.9",
        }
        log = tmp_path / "identity.log"
        async with serving("identity", env, log) as base, httpx.AsyncClient() as client:
            answer = await client.post(
                f"{base}/api/auth/signup",
                json={"email": EMAIL, "password": PASSWORD, "name": "Ada"},
                headers={
                    "X-Request-ID": request_id,
                    "Authorization": f"Bearer {ACCESS_TOKEN}",
                    "Cookie": f"sift_refresh={REFRESH_TOKEN}",
                },
            )
            assert answer.status_code == 500, answer.text
            assert answer.json()["request_id"] == request_id
            [event] = sentry.wait_for_events()

    assert event["tags"]["request_id"] == request_id
    assert event["tags"]["service"] == "identity"
    assert (event["environment"], event["release"]) == ("staging", "sift@9.9.9")
    [error] = [e for e in event["exception"]["values"] if e["type"] == "ProgrammingError"]
    assert "does not exist" in error["value"]
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"].endswith("/api/auth/signup")
    headers = {name.lower() for name in event["request"].get("headers", {})}
    assert not headers & {"authorization", "cookie"}
    assert "data" not in event["request"] and "cookies" not in event["request"]
    # Nothing personal anywhere in what was sent: not in the SQL error's parameters, the
    # stack's local variables, the breadcrumbs or the request.
    sent = b"".join(envelope.raw for envelope in sentry.envelopes).decode()
    for secret in (EMAIL, "ada.lovelace", PASSWORD, ACCESS_TOKEN, REFRESH_TOKEN):
        assert secret not in sent, secret
    assert "[email]" in sent  # it was there to scrub (the failed statement's parameters)

    # The service's own log line of the error, in ECS names, carries the same request ID.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    [logged] = [line for line in lines if line["message"] == "request.unhandled_error"]
    assert logged["http.request.id"] == request_id
    assert logged["service.name"] == "identity"
    assert logged["error.type"] == "ProgrammingError"


def test_without_a_dsn_nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIFT_SENTRY_DSN", raising=False)
    monkeypatch.setenv("SENTRY_DSN", "http://key@127.0.0.1:9/1")  # the SDK's own variable
    assert init_sentry(CoreSettings(), service="identity") is False
    assert not sentry_sdk.get_client().is_active()


def test_the_scrubber_drops_credentials_and_replaces_addresses_and_tokens() -> None:
    event = {
        "transaction": "/api/invitations/{token}/accept",
        "request": {
            "url": "http://testserver/api/invitations/inv-secret-123/accept",
            "query_string": "next=/x",
            "data": {"email": EMAIL},
            "cookies": {"sift_refresh": REFRESH_TOKEN},
            "headers": {"Authorization": "Bearer x", "Cookie": "a=b", "User-Agent": "ua"},
        },
        "user": {"email": EMAIL},
        "exception": {"values": [{"type": "E", "value": f"no user {EMAIL} with {ACCESS_TOKEN}"}]},
        "breadcrumbs": {"values": [{"message": f"Authorization: Bearer {ACCESS_TOKEN}"}]},
    }
    scrubbed = scrub_event(event, {})  # type: ignore[arg-type]
    assert scrubbed is not None
    assert scrubbed["request"] == {
        "url": "http://testserver/api/invitations/{token}/accept",
        "headers": {"User-Agent": "ua"},
    }
    assert "user" not in scrubbed
    assert scrubbed["exception"]["values"][0]["value"] == "no user [email] with [token]"
    assert scrubbed["breadcrumbs"]["values"][0]["message"] == "Authorization: [token]"
