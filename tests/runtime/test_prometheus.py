"""The scrape targets `sift up` writes and the Prometheus configuration it runs with
(`--observability`), checked by promtool itself."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sift.runtime.prometheus import (
    RULES,
    PrometheusPaths,
    prometheus_command,
    prometheus_config,
    write_scrape_targets,
)
from sift.runtime.services import ServiceLayout

LAYOUTS = {
    "identity": ServiceLayout("identity", 8101, 2, ("/api/auth",)),
    "search": ServiceLayout("search", 8103, 1, ("/api/search",)),
}


def test_every_replica_is_a_target_labelled_with_its_service(tmp_path: Path) -> None:
    paths = PrometheusPaths(tmp_path / "prometheus")
    written = write_scrape_targets(paths, LAYOUTS)
    assert json.loads(written.read_text()) == [
        {
            "targets": ["127.0.0.1:8101", "127.0.0.1:8102"],
            "labels": {"job": "sift", "service": "identity"},
        },
        {"targets": ["127.0.0.1:8103"], "labels": {"job": "sift", "service": "search"}},
    ]
    assert not list(paths.root.glob("*.tmp"))


def test_each_process_without_http_is_a_target_labelled_with_its_name(tmp_path: Path) -> None:
    paths = PrometheusPaths(tmp_path / "prometheus")
    written = write_scrape_targets(paths, LAYOUTS, {"worker": 9400, "consume.search": 9401})
    groups = json.loads(written.read_text())
    assert groups[2:] == [
        {"targets": ["127.0.0.1:9400"], "labels": {"job": "sift", "process": "worker"}},
        {"targets": ["127.0.0.1:9401"], "labels": {"job": "sift", "process": "consume.search"}},
    ]


def test_the_configuration_and_its_rules_pass_promtool(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: `./scripts/system-deps.sh --test` installs it")
    paths = PrometheusPaths(tmp_path)
    targets = write_scrape_targets(paths, LAYOUTS)
    assert RULES.is_file()
    paths.config.write_text(prometheus_config(targets, [RULES]))
    result = subprocess.run(
        [promtool, "check", "config", str(paths.config)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 12 rules found" in result.stdout
    command = prometheus_command(paths, 9191)
    assert f"--config.file={paths.config}" in command
    assert "--web.listen-address=127.0.0.1:9191" in command


def test_sift_up_observability_runs_prometheus_on_its_targets(tmp_path: Path) -> None:
    from sift.core.config import CoreSettings
    from sift.runtime.start import prometheus_spec
    from sift.runtime.up import UpOptions

    settings = CoreSettings(data_dir=tmp_path)
    spec = prometheus_spec(
        settings, LAYOUTS, UpOptions(observability=True, prometheus_port=9393), {"A": "1"}
    )
    paths = PrometheusPaths.of(settings)
    assert spec.name == "prometheus" and spec.port == 9393
    assert spec.health_url == "http://127.0.0.1:9393/-/ready"
    assert f"--storage.tsdb.path={paths.data}" in spec.argv
    assert json.loads(paths.targets.read_text())[0]["labels"]["service"] == "identity"
    assert str(RULES) in paths.config.read_text()
