"""The "Sift: PostgreSQL" and "Sift: Redis" dashboards: every panel query returns data from
Debian's exporters (prometheus-postgres-exporter, prometheus-redis-exporter) on a real
PostgreSQL (the test session's, with Sift's schemas) and the real Redis, scraped by a real
Prometheus, after a short load. `make test-ops` (`scripts/system-deps.sh --test` installs
the exporters and Prometheus)."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from redis import Redis
from sqlalchemy import create_engine, text

from sift.core.config import CoreSettings
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port
from tests.conftest import REDIS_URL
from tests.deploy.test_deploy import ROOT

pytestmark = [pytest.mark.ops, pytest.mark.timeout(600)]

GRAFANA_DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
DASHBOARDS = [GRAFANA_DASHBOARDS / "postgresql.json", GRAFANA_DASHBOARDS / "redis.json"]


def binary(name: str) -> str:
    found = shutil.which(name) or f"/usr/bin/{name}"
    if not Path(found).is_file():
        pytest.fail(f"{name} is missing: `./scripts/system-deps.sh --test` installs it")
    return found


def wait_for(url: str, what: str, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        assert time.monotonic() < deadline, f"{what} did not answer:\n{log.read_text()}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def prometheus(postgres: EmbeddedPostgres, base_settings: CoreSettings) -> Iterator[str]:
    root = Path(tempfile.mkdtemp(prefix="sift-datastores-"))
    database = (
        f"postgresql://{postgres.user}@{postgres.host}:{postgres.port}/{postgres.database}"
        "?sslmode=disable"
    )
    commands = {
        "postgres": ([binary("prometheus-postgres-exporter")], {"DATA_SOURCE_NAME": database}),
        "redis": ([binary("prometheus-redis-exporter"), f"--redis.addr={REDIS_URL}"], {}),
    }
    running: list[subprocess.Popen[bytes]] = []
    try:
        jobs = []
        for job, (argv, env) in commands.items():
            port = free_port()
            log = root / f"{job}-exporter.log"
            with log.open("wb") as out:
                running.append(
                    subprocess.Popen(
                        [*argv, f"--web.listen-address=127.0.0.1:{port}"],
                        env={"PATH": "/usr/bin:/bin", **env},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
            wait_for(f"http://127.0.0.1:{port}/metrics", f"the {job} exporter", log)
            jobs.append({"job_name": job, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]})
        config = root / "prometheus.yml"
        config.write_text(
            yaml.safe_dump(
                {"global": {"scrape_interval": "1s"}, "scrape_configs": jobs}, sort_keys=False
            )
        )
        port = free_port()
        log = root / "prometheus.log"
        with log.open("wb") as out:
            running.append(
                subprocess.Popen(
                    [
                        binary("prometheus"),
                        f"--config.file={config}",
                        f"--storage.tsdb.path={root / 'tsdb'}",
                        f"--web.listen-address=127.0.0.1:{port}",
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/-/ready", "Prometheus", log)
        yield base
    finally:
        for process in running:
            process.terminate()
            process.wait(30)
        shutil.rmtree(root, ignore_errors=True)


def short_load(settings: CoreSettings) -> None:
    """Reads and writes on the database and on Redis, hits and misses included."""
    engine = create_engine(settings.sync_sqlalchemy_url)
    try:
        for _ in range(20):
            with engine.begin() as connection:
                connection.execute(text("CREATE TEMPORARY TABLE load (n int) ON COMMIT DROP"))
                connection.execute(text("INSERT INTO load SELECT generate_series(1, 100)"))
                connection.execute(text("SELECT count(*) FROM identity.users")).scalar()
    finally:
        engine.dispose()
    redis = Redis.from_url(REDIS_URL)
    key = f"sift-test-dashboards:{uuid.uuid4().hex[:8]}"
    try:
        for n in range(50):
            redis.set(f"{key}:{n}", "x", px=500)
            redis.get(f"{key}:{n}")
            redis.get(f"{key}:missing")
    finally:
        redis.close()


def test_every_panel_query_returns_data(prometheus: str, base_settings: CoreSettings) -> None:
    deadline = time.monotonic() + 60
    while True:
        targets = httpx.get(f"{prometheus}/api/v1/targets", timeout=5).json()["data"]
        active = targets["activeTargets"]
        if len(active) == 2 and all(t["health"] == "up" for t in active):
            break
        assert time.monotonic() < deadline, active
        time.sleep(0.5)
    short_load(base_settings)
    time.sleep(4)  # several scrapes after the load: rate() needs two samples
    queries = [
        (path.name, panel["title"], target["expr"])
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel["targets"]
    ]
    assert len(queries) >= 16
    empty = []
    for dashboard, title, expr in queries:
        answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10)
        body = answer.json()
        assert body["status"] == "success", (dashboard, title, body)
        if not body["data"]["result"]:
            empty.append(f"{dashboard}: {title}: {expr}")
    assert empty == []
