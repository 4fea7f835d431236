"""A real Prometheus scraping a real `sift up` stack (the targets file it writes).

- The ingestion-backlog alert: with the ingest worker killed (and killed again whenever
  the supervisor restarts it), an upload waits, and the alert goes pending and then fires
  within its `for:` window (deploy/prometheus/alerts.yml's rule, short threshold and window).
- Every panel query of the Grafana dashboards (deploy/grafana/dashboards) returns data.

Slow: `make test-ops`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
import yaml

from sift.runtime.embedded_postgres import free_port
from sift.runtime.prometheus import RULES, prometheus_config
from tests.e2e.test_stack import Stack, new_stack

# Whole stacks started (twice for the drill) on a shared 2-core host: minutes, not seconds.
pytestmark = [pytest.mark.e2e, pytest.mark.ops, pytest.mark.timeout(1800)]

DASHBOARDS = RULES.parents[1] / "grafana" / "dashboards"
# Read the exporters, not Sift: tests/deploy/test_datastore_dashboards.py.
DATASTORE_DASHBOARDS = ("postgresql", "redis")
THRESHOLD_SECONDS = 5
FOR_SECONDS = 20


def short_rules(into: Path) -> Path:
    """The real rule with a short threshold and window (the test cannot wait 15 minutes)."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    (rule,) = [r for g in groups for r in g["rules"] if r.get("alert") == "SiftIngestionBacklog"]
    assert rule["expr"].endswith("> 600")
    rule["expr"] = rule["expr"].replace("> 600", f"> {THRESHOLD_SECONDS}")
    rule["for"] = f"{FOR_SECONDS}s"
    path = into / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "short", "rules": [rule]}]}))
    return path


@pytest.fixture(scope="module")
def observed() -> Iterator[tuple[Stack, str]]:
    root = Path(tempfile.mkdtemp(prefix="sift-alert-"))
    stack = new_stack(root)
    # Slow starts on a loaded host are not what these tests are about.
    stack.ready_timeout, stack.start_timeout = 400.0, 600.0
    prometheus: subprocess.Popen[bytes] | None = None
    try:
        stack.start()
        targets = stack.data_dir / "prometheus" / "targets.json"  # written by `sift up`
        assert targets.is_file()
        config = root / "prometheus.yml"
        config.write_text(
            prometheus_config(
                targets, [short_rules(root)], scrape_interval="2s", evaluation_interval="2s"
            )
        )
        port = free_port()
        binary = shutil.which("prometheus") or "/usr/bin/prometheus"
        with (root / "prometheus.log").open("wb") as out:
            prometheus = subprocess.Popen(
                [
                    binary,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={root / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/-/ready", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, (root / "prometheus.log").read_text()
            time.sleep(0.5)
        yield stack, base
    finally:
        if prometheus is not None:
            prometheus.terminate()
            prometheus.wait(30)
        stack.kill()
        shutil.rmtree(root, ignore_errors=True)


def ingest_workers(stack: Stack) -> list[psutil.Process]:
    return [
        child
        for child in stack.descendants()
        if "worker" in child.cmdline() and "ingest" in child.cmdline()
    ]


def alert_state(base: str) -> str | None:
    alerts = httpx.get(f"{base}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
    states = [a["state"] for a in alerts if a["labels"]["alertname"] == "SiftIngestionBacklog"]
    return states[0] if states else None


def test_killing_the_ingest_worker_fires_the_backlog_alert(observed: tuple[Stack, str]) -> None:
    stack, base = observed
    client = httpx.Client(verify=False, timeout=30)
    # Every service is a healthy target (file-based discovery from `sift up`'s targets).
    deadline = time.monotonic() + 60
    while True:
        targets = httpx.get(f"{base}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        if targets and all(t["health"] == "up" for t in targets):
            break
        assert time.monotonic() < deadline, targets
        time.sleep(1)
    processes = {t["labels"]["process"] for t in targets if "process" in t["labels"]}
    services = [t for t in targets if "service" in t["labels"]]
    assert len(services) == sum(len(ports) for ports in stack.service_ports.values())
    # The processes that answer no HTTP are targets too, each on its metrics port.
    assert {"worker", "worker.ingest", "scheduler", "relay", "consume.search"} <= processes
    assert len(targets) == len(services) + len(processes)
    assert alert_state(base) is None

    stop = threading.Event()

    def keep_killing() -> None:
        while not stop.is_set():
            for worker in ingest_workers(stack):
                with contextlib.suppress(psutil.NoSuchProcess):
                    worker.kill()
            stop.wait(0.2)

    assert ingest_workers(stack), "sift up runs an ingest worker"
    killer = threading.Thread(target=keep_killing, daemon=True)
    killer.start()
    try:
        signup = client.post(
            f"{stack.base}/api/auth/signup",
            json={
                "email": f"alert-{uuid.uuid4().hex[:8]}@example.com",
                "password": "Backlog-alert-2026!",
                "name": "Alert",
            },
        )
        assert signup.status_code == 201, signup.text
        headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
        collection = client.post(
            f"{stack.base}/api/collections", headers=headers, json={"name": "Waiting"}
        )
        assert collection.status_code == 201, collection.text
        upload = client.post(
            f"{stack.base}/api/documents",
            headers=headers,
            data={"collection_id": collection.json()["id"], "title": "Stuck"},
            files={"file": ("stuck.txt", b"Nobody will index this text.\n", "text/plain")},
        )
        assert upload.status_code == 201, upload.text
        uploaded = time.monotonic()

        seen: list[tuple[float, str | None]] = []
        deadline = uploaded + THRESHOLD_SECONDS + FOR_SECONDS + 90
        while time.monotonic() < deadline:
            state = alert_state(base)
            seen.append((round(time.monotonic() - uploaded, 1), state))
            if state == "firing":
                break
            time.sleep(1)
        assert seen[-1][1] == "firing", seen
        pending = [at for at, state in seen if state == "pending"]
        assert pending, f"never pending before firing: {seen}"
        # Fired no sooner than the window after it went pending.
        assert seen[-1][0] - pending[0] >= FOR_SECONDS - 4, seen
        document = client.get(f"{stack.base}/api/documents/{upload.json()['id']}", headers=headers)
        assert document.json()["status"] != "indexed"
    finally:
        stop.set()
        killer.join(5)


def test_every_dashboard_panel_query_returns_data(observed: tuple[Stack, str]) -> None:
    stack, base = observed
    client = httpx.Client(verify=False, timeout=30)
    signup = client.post(
        f"{stack.base}/api/auth/signup",
        json={
            "email": f"panels-{uuid.uuid4().hex[:8]}@example.com",
            "password": "Dashboard-panels-2026!",
            "name": "Panels",
        },
    )
    assert signup.status_code == 201, signup.text
    headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    # Work for every process: an upload indexed (the ingest worker, restarted since the
    # first test; relay; consumers), an answer (provider counters), a live stream (SSE).
    collection = client.post(
        f"{stack.base}/api/collections", headers=headers, json={"name": "Panels"}
    )
    assert collection.status_code == 201, collection.text
    upload = client.post(
        f"{stack.base}/api/documents",
        headers=headers,
        data={"collection_id": collection.json()["id"], "title": "Harbor"},
        files={"file": ("harbor.txt", b"The harbor lanterns are lit at dusk.\n", "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    deadline = time.monotonic() + 400
    while True:
        document = client.get(f"{stack.base}/api/documents/{upload.json()['id']}", headers=headers)
        if document.json()["status"] == "indexed":
            break
        assert time.monotonic() < deadline, document.json()
        time.sleep(1)
    # Search loads its query model on first use: on a busy host the assistant's first
    # retrieval may time out (503) while it does.
    deadline = time.monotonic() + 120
    while True:
        asked = client.post(
            f"{stack.base}/api/assistant/ask",
            headers=headers,
            json={"question": "When are the harbor lanterns lit?"},
            timeout=60,
        )
        if asked.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert asked.status_code == 200, asked.text
    with client.stream("GET", f"{stack.base}/api/notifications/stream", headers=headers) as live:
        assert live.status_code == 200
        next(live.iter_lines())
    for _ in range(3):  # a short load on the search and assistant routes
        client.post(f"{stack.base}/api/search", headers=headers, json={"query": "harbor"})
        client.get(f"{stack.base}/api/assistant/conversations", headers=headers)
        time.sleep(2.5)  # across scrapes: rate() needs two samples
    time.sleep(5)
    queries = [
        (path.name, panel["title"], target["expr"])
        for path in sorted(DASHBOARDS.glob("*.json"))
        if path.stem not in DATASTORE_DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel["targets"]
    ]
    assert len(queries) >= 10
    empty = []
    for dashboard, title, expr in queries:
        answer = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=10).json()
        assert answer["status"] == "success", (dashboard, title, answer)
        if not answer["data"]["result"]:
            empty.append(f"{dashboard}: {title}: {expr}")
    assert empty == []
