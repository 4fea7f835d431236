"""The alert rules: valid for Prometheus, and each one unit-tested with `promtool test rules`
(firing on the series it is about, quiet on healthy ones). `scripts/system-deps.sh --test`
installs promtool (Debian's `prometheus` package)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS / "alerts.yml"
RULE_TESTS = PROMETHEUS / "tests" / "alerts.test.yml"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is missing: `./scripts/system-deps.sh --test` installs it")
    return found


def alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_the_rules_are_valid() -> None:
    result = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alerts())} rules found" in result.stdout


def test_every_alert_passes_its_unit_tests() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", str(RULE_TESTS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=RULE_TESTS.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_test_where_it_fires_and_a_runbook() -> None:
    cases = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    fired = {
        check["alertname"]
        for case in cases
        for check in case.get("alert_rule_test", [])
        if check.get("exp_alerts")
    }
    names = [rule["alert"] for rule in alerts()]
    assert sorted(names) == sorted(fired)
    runbook = (ROOT / "docs" / "operations.md").read_text()
    for rule in alerts():
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert f'<a id="{anchor}"></a>' in runbook, anchor
        assert rule["labels"]["severity"] in ("page", "warning")


def test_a_broken_rule_fails_its_test(tmp_path: Path) -> None:
    # The unit tests can fail: the backlog alert with twice its threshold misses its case.
    broken = RULES.read_text().replace(
        "max(sift_ingest_backlog_oldest_age_seconds) > 600",
        "max(sift_ingest_backlog_oldest_age_seconds) > 1200",
    )
    assert broken != RULES.read_text()
    (tmp_path / "alerts.yml").write_text(broken)
    (tmp_path / "tests").mkdir()
    shutil.copy(RULE_TESTS, tmp_path / "tests" / "alerts.test.yml")
    result = subprocess.run(
        [promtool(), "test", "rules", "tests/alerts.test.yml"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "SiftIngestionBacklog" in result.stdout + result.stderr
