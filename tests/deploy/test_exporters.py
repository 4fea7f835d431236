"""The PostgreSQL and Redis exporters: in Compose's `observability` profile and in both
Kubernetes overlays, scraped (Compose's Prometheus configuration; the pods' prometheus.io
annotations), allowed to reach the data stores, and their dashboards provisioned in Grafana.
Whether each dashboard query returns data from real exporters: tests/e2e/test_backlog_alert.py
(`make test-ops`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from sift import SERVICES
from sift.runtime.services import service_settings
from tests.deploy.test_deploy import ROOT, compose_services, needs_kubectl, render_overlay

PROMETHEUS = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
EXPORTERS = {"postgres-exporter": 9187, "redis-exporter": 9121}


def test_compose_runs_the_exporters_and_its_prometheus_scrapes_them() -> None:
    services = compose_services()
    for name in EXPORTERS:
        assert services[name]["profiles"] == ["observability"]
    dsn = services["postgres-exporter"]["environment"]["DATA_SOURCE_NAME"]
    assert "@postgres:5432/sift" in dsn
    assert services["redis-exporter"]["environment"]["REDIS_ADDR"] == "redis://redis:6379"
    volumes = services["prometheus"]["volumes"]
    assert "../prometheus/compose.yml:/etc/prometheus/prometheus.yml:ro" in volumes
    assert "../prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in volumes

    config = yaml.safe_load((PROMETHEUS / "compose.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["postgres"]["static_configs"] == [{"targets": ["postgres-exporter:9187"]}]
    assert jobs["redis"]["static_configs"] == [{"targets": ["redis-exporter:9121"]}]
    # Every replica of every service, by its Compose network alias and its port.
    found = {(sd["names"][0], sd["port"]) for sd in jobs["sift"]["dns_sd_configs"]}
    assert found == {(name, service_settings(name).port) for name in SERVICES}
    assert {name for name, _ in found} <= set(services)


def test_the_compose_prometheus_configuration_passes_promtool(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: `./scripts/system-deps.sh --test` installs it")
    config = yaml.safe_load((PROMETHEUS / "compose.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]  # where Compose mounts it
    config["rule_files"] = [str(PROMETHEUS / "alerts.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_grafana_is_provisioned_with_every_dashboard() -> None:
    grafana = compose_services()["grafana"]
    assert "../grafana/dashboards:/var/lib/grafana/dashboards/sift:ro" in grafana["volumes"]
    assert "../grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "sift.yaml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards/sift"
    dashboards = {
        path.stem: json.loads(path.read_text()) for path in (GRAFANA / "dashboards").glob("*.json")
    }
    assert {"postgresql", "redis"} <= set(dashboards)
    assert len({d["uid"] for d in dashboards.values()}) == len(dashboards)
    for name, prefix in (("postgresql", "pg_"), ("redis", "redis_")):
        for panel in dashboards[name]["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
            for target in panel["targets"]:
                assert prefix in target["expr"], (name, panel["title"])


def by_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents if d["kind"] == kind}


@needs_kubectl
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubernetes_runs_the_exporters_where_prometheus_finds_them(overlay: str) -> None:
    documents = render_overlay(overlay)
    deployments = by_kind(documents, "Deployment")
    for name, port in EXPORTERS.items():
        template = deployments[f"sift-{name}"]["spec"]["template"]
        assert template["metadata"]["labels"]["app.kubernetes.io/component"] == "exporter"
        assert template["metadata"]["annotations"] == {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(port),
            "prometheus.io/path": "/metrics",
        }
        (container,) = template["spec"]["containers"]
        assert [p["containerPort"] for p in container["ports"]] == [port]
    policies = by_kind(documents, "NetworkPolicy")
    to_data = policies["sift-to-datastores"]["spec"]["podSelector"]["matchExpressions"][0]
    assert "exporter" in to_data["values"]
    scraped = policies["sift-exporters-ingress"]["spec"]["ingress"][0]["ports"]
    assert {p["port"] for p in scraped} == set(EXPORTERS.values())
    if overlay == "dev":
        from_backend = policies["sift-datastores-ingress"]["spec"]["ingress"][0]["from"][0]
        assert "exporter" in from_backend["podSelector"]["matchExpressions"][0]["values"]
