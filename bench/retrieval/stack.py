"""A throwaway Sift stack for benchmarks, and a client that drives it through the gateway.

The stack is what `sift up --no-web` runs (embedded PostgreSQL, Redis with its own key
prefix, every service, relay, consumers, the workers, the Nginx gateway), started in a
subprocess on free ports with its own data directory, the way tests/e2e does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sift import SERVICES
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port

READY_LINE = "Sift is up: "
PASSWORD = "bench-Retrieval-2026!"  # noqa: S105 (a throwaway account of a throwaway stack)


@dataclass
class Stack:
    """`sift up --no-web` in a subprocess; `data_dir` may be kept and started again."""

    root: Path
    extra_env: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    https_port: int = 0
    pg_port: int = 0
    env_used: dict[str, str] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    up_args: tuple[str, ...] = ()  # more `sift up` options, e.g. --no-worker

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "sift-up.log"

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/sift"

    def state(self) -> dict[str, Any]:
        path = self.root / "stack.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def save_state(self, **values: Any) -> None:
        (self.root / "stack.json").write_text(json.dumps(self.state() | values, indent=1))

    def env(self) -> dict[str, str]:
        state = self.state()
        prefix = state.get("redis_prefix") or f"sift-bench:{uuid.uuid4().hex[:8]}:"
        self.save_state(redis_prefix=prefix)
        env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SIFT_DATABASE_URL")
        }
        self.https_port, self.pg_port = free_port(), free_port()
        env |= {
            "SIFT_ENV": "test",
            "SIFT_LOG_JSON": "true",
            "SIFT_LOG_LEVEL": "WARNING",
            "HF_HUB_OFFLINE": "1",
            "SIFT_DATA_DIR": str(self.data_dir),
            "SIFT_EMBEDDED_PG_PORT": str(self.pg_port),
            "SIFT_REDIS_URL": os.environ.get("SIFT_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "SIFT_REDIS_PREFIX": prefix,
            "SIFT_GATEWAY_HTTPS_PORT": str(self.https_port),
            "SIFT_GATEWAY_HTTP_PORT": str(free_port()),
            # A benchmark uploads thousands of files from one account.
            "SIFT_DOCUMENTS_UPLOAD_RATE_LIMIT": "100000/minute",
            "SIFT_SEARCH_SEARCH_RATE_LIMIT": "1000000/minute",
        }
        for name in SERVICES:
            env[f"SIFT_{name.upper()}_PORT"] = str(free_port())
        self.env_used = env | dict(self.extra_env)
        return self.env_used

    def start(self, timeout: float = 180.0) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        env = self.env()
        with self.log.open("ab") as out:
            offset = out.tell()
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sift.runtime",
                    "up",
                    "--no-web",
                    "--ready-timeout",
                    "150",
                    *self.up_args,
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while READY_LINE not in self.log.read_text(errors="replace")[offset:]:
            if self.process.poll() is not None:
                raise RuntimeError(f"sift up exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"sift up was not ready in {timeout:.0f} s:\n{self.tail()}")
            time.sleep(0.3)

    def add_ingest_workers(self, count: int) -> None:
        """More ingest workers beside the one `sift up` runs (how a deployment scales ingest)."""
        env = self.env_used | {
            "SIFT_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{self.pg_port}/sift",
            "PYTHONUNBUFFERED": "1",
        }
        for index in range(count):
            argv = [sys.executable, "-m", "sift.runtime", "worker", "--queues", "ingest"]
            argv += ["--hostname", f"bench-ingest-{index}-{os.getpid()}@%h", "--concurrency", "1"]
            with self.log.open("ab") as out:
                self.workers.append(
                    subprocess.Popen(
                        argv,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                )

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.workers.clear()
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
                EmbeddedPostgres(self.data_dir / "postgres", self.pg_port).stop(quiet=True)
        self.process = None

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:500]}"
        )
        self.status_code = response.status_code


@dataclass
class Client:
    """One signed-in account, calling the public API through the gateway."""

    http: httpx.AsyncClient
    email: str
    token: str = ""

    @classmethod
    async def signup(cls, http: httpx.AsyncClient, email: str | None = None) -> Client:
        email = email or f"bench-{uuid.uuid4().hex[:10]}@example.com"
        response = await http.post(
            "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Bench"}
        )
        if response.status_code != 201:
            raise ApiError(response)
        return cls(http, email, response.json()["access_token"])

    async def login(self) -> None:
        for _ in range(10):
            response = await self.http.post(
                "/api/auth/login", json={"email": self.email, "password": PASSWORD}
            )
            if response.status_code == 429:
                await asyncio.sleep(float(response.headers.get("retry-after", "2")))
                continue
            if response.status_code != 200:
                raise ApiError(response)
            self.token = response.json()["access_token"]
            return
        raise RuntimeError("could not sign in again")

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call with the access token; signs in again when it expired, waits on 429."""
        for _ in range(20):
            headers = {"Authorization": f"Bearer {self.token}"}
            response = await self.http.request(method, path, headers=headers, **kwargs)
            if response.status_code == 401:
                await self.login()
                continue
            if response.status_code in (429, 502, 503):
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                continue
            return response
        raise ApiError(response)

    async def json(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        if response.status_code != expect:
            raise ApiError(response)
        return response.json()

    async def mute_document_mail(self) -> None:
        """Turns off this account's e-mail per indexed document, as someone importing a
        corpus would: the bench's stack has no mail server, so each of thousands of mails
        would be tried and dead-lettered beside the indexing being measured."""
        preferences = await self.json("GET", "/api/notifications/preferences")
        indexed = next(item for item in preferences["types"] if item["type"] == "document_indexed")
        muted = {"types": [indexed | {"email": False}]}
        await self.json("PUT", "/api/notifications/preferences", json=muted)


def gateway_client(stack: Stack, timeout: float = 60.0, connections: int = 32) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    # The stack's certificate is self-signed for localhost.
    return httpx.AsyncClient(
        base_url=stack.base, verify=False, timeout=timeout, limits=limits  # noqa: S501
    )
