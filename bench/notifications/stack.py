"""The processes the notifications bench runs against, as `sift up` runs them.

A throwaway embedded PostgreSQL (every schema migrated, as `sift up` does), the local
Redis under a prefix of its own, and real processes: the notifications API under uvicorn
(`sift serve notifications`), the relay (`sift relay`), the notifications consumer group
(`sift consume notifications`), a delivery worker (`sift worker --queues deliver`) and the
development SMTP capture (`sift mail-capture`), which keeps each mail as a file named by
the nanosecond it arrived. Access tokens are signed here with a key served on a JWKS URL of
the bench (identity's stand-in: the services only fetch its public keys).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sift.core.config import CoreSettings, Environment
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port
from sift.runtime.migrate import migrate_all

REPO = Path(__file__).resolve().parents[2]


class Keys:
    """identity's stand-in: one Ed25519 key, its JWKS served over HTTP."""

    def __init__(self, settings: CoreSettings) -> None:
        self.settings = settings
        self.kid = uuid.uuid4().hex[:16]
        self.private = Ed25519PrivateKey.generate()
        public = json.loads(jwt.get_algorithm_by_name("EdDSA").to_jwk(self.private.public_key()))
        document = json.dumps(
            {"keys": [{**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, user_id: uuid.UUID, org_id: uuid.UUID, seconds: int = 600) -> str:
        now = int(time.time())
        claims = {
            "sub": str(user_id),
            "org": str(org_id),
            "role": "editor",
            "iat": now,
            "nbf": now,
            "exp": now + seconds,
            "jti": uuid.uuid4().hex,
            "iss": self.settings.public_url,
            "aud": "sift",
            "sid": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})

    def close(self) -> None:
        self.server.shutdown()


@dataclass
class Stack:
    settings: CoreSettings
    keys: Keys
    logs: Path
    api_port: int
    smtp_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def mail_dir(self) -> Path:
        return self.settings.data_dir / "mail"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "SIFT_ENV": "test",
                "SIFT_DATABASE_URL": self.settings.sqlalchemy_url,
                "SIFT_REDIS_URL": self.settings.redis_url,
                "SIFT_REDIS_PREFIX": self.settings.redis_prefix,
                "SIFT_DATA_DIR": str(self.settings.data_dir),
                "SIFT_LOG_JSON": "false",
                "SIFT_LOG_LEVEL": "WARNING",
                "SIFT_AUTH_JWKS_URL": self.keys.url,
                "SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT": str(self.smtp_port),
                "SIFT_NOTIFICATIONS_EMAIL_CAPTURE_MAX_MESSAGES": "100000",
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])
                ),
            }
        )
        return env

    def start(self, name: str, *argv: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "sift.runtime", *argv],
                cwd=REPO,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def start_all(self) -> None:
        self.start("mail-capture", "mail-capture")
        self.start("api", "serve", "notifications", "--port", str(self.api_port), "--no-reload")
        self.start("relay", "relay")
        self.start("consumer", "consume", "notifications")
        self.start("worker", "worker", "--queues", "deliver", "--hostname", "deliver@bench")
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.api_url}/api/notifications/healthz", timeout=2).is_success:
                    return
            except httpx.HTTPError:
                pass
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited; see {self.logs / name}.log")
            if time.monotonic() > deadline:
                raise RuntimeError("the notifications API did not come up in 120 s")
            time.sleep(0.3)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def running_stack(logs: Path) -> Iterator[Stack]:
    server = EmbeddedPostgres(logs / "pg", free_port())
    server.start()
    keys: Keys | None = None
    stack: Stack | None = None
    try:
        settings = CoreSettings(
            env=Environment.test,
            database_url=server.url,
            data_dir=logs / "data",
            redis_prefix=f"bench-notify-{uuid.uuid4().hex[:8]}:",
            log_json=False,
        )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate_all(settings)
        keys = Keys(settings)
        stack = Stack(settings, keys, logs, api_port=free_port(), smtp_port=free_port())
        stack.start_all()
        yield stack
    finally:
        if stack is not None:
            stack.stop_all()
        if keys is not None:
            keys.close()
        server.destroy()
