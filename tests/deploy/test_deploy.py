"""The deployment files: Compose and Kubernetes agree with the code they run, the
Kubernetes base is what its generator writes, every overlay renders and validates, the
prod overlay's pods are locked down, and the gateway config each renders passes `nginx -t`.

Images and the running Compose stack are `make test-containers`' (too slow for CI).
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from sift import SERVICES
from sift.core.config import CoreSettings
from sift.runtime.consumers import services_with_consumers
from sift.runtime.gateway import GatewayPaths, GatewaySettings, nginx_command, render_gateway_config
from sift.runtime.services import service_layouts, service_settings
from sift.runtime.tls import ensure_self_signed_certificate

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "deploy" / "compose"
K8S_VERSION = "1.31.0"  # as the Makefile's lint-deploy
POD_KINDS = ("Deployment", "StatefulSet", "Job", "DaemonSet")
KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl renders the overlays")


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("k8s_generate", K8S / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["k8s_generate"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def render_overlay(name: str) -> list[dict[str, Any]]:
    assert KUBECTL is not None
    result = subprocess.run(
        [KUBECTL, "kustomize", str(K8S / "overlays" / name)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def compose_services() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE / "compose.yaml").read_text())["services"]


def pod_specs(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    pods = {
        f"{doc['kind']}/{doc['metadata']['name']}": doc["spec"]["template"]["spec"]
        for doc in documents
        if doc["kind"] in POD_KINDS
    }
    for doc in documents:
        if doc["kind"] == "CronJob":
            pods[f"CronJob/{doc['metadata']['name']}"] = doc["spec"]["jobTemplate"]["spec"][
                "template"
            ]["spec"]
    return pods


def insecure(pod: dict[str, Any]) -> list[str]:
    """What in a pod spec breaks the rule: non-root, read-only root filesystem, no
    privilege escalation, every capability dropped, nothing privileged."""
    problems = []
    pod_context = pod.get("securityContext", {})
    for container in pod.get("initContainers", []) + pod["containers"]:
        context = {**pod_context, **container.get("securityContext", {})}
        name = container["name"]
        if context.get("runAsNonRoot") is not True or context.get("runAsUser", 1) == 0:
            problems.append(f"{name}: may run as root")
        if context.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{name}: writable root filesystem")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: privilege escalation allowed")
        if context.get("privileged"):
            problems.append(f"{name}: privileged")
        if "ALL" not in context.get("capabilities", {}).get("drop", []):
            problems.append(f"{name}: capabilities not all dropped")
        if context.get("capabilities", {}).get("add"):
            problems.append(f"{name}: adds capabilities")
    return problems


# --- Kubernetes ---


def test_the_base_is_what_its_generator_writes() -> None:
    generator = load_generator()
    for name, documents in generator.files().items():
        assert (K8S / "base" / name).read_text() == generator.render(
            documents
        ), f"deploy/k8s/base/{name} is stale: run python deploy/k8s/generate.py"


def test_every_service_runs_on_the_port_the_gateway_expects() -> None:
    generator = load_generator()
    by_name = {process.name: process for process in generator.processes()}
    for service in SERVICES:
        process = by_name[service]
        assert process.args[:2] == ["serve", service]
        assert process.port == service_settings(service).port
        assert process.ready == f"/api/{service}/readyz"
    consumers = {name for name in by_name if name.startswith("consume-")}
    assert consumers == {f"consume-{s}" for s in services_with_consumers(SERVICES)}


@needs_kubectl
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_overlay_renders_and_validates(overlay: str) -> None:
    import kubernetes_validate

    documents = render_overlay(overlay)
    kinds = {doc["kind"] for doc in documents}
    assert {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler"} <= kinds
    assert {"PodDisruptionBudget", "NetworkPolicy", "ConfigMap", "Job", "CronJob"} <= kinds
    for doc in documents:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    deployments = {d["metadata"]["name"] for d in documents if d["kind"] == "Deployment"}
    assert {f"sift-{service}" for service in SERVICES} <= deployments
    assert {"sift-gateway", "sift-web", "sift-worker", "sift-worker-ingest"} <= deployments


@needs_kubectl
def test_the_validator_refuses_an_unknown_field() -> None:
    import kubernetes_validate

    deployment = next(d for d in render_overlay("prod") if d["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


@needs_kubectl
def test_prod_pods_run_locked_down() -> None:
    pods = pod_specs(render_overlay("prod"))
    assert len(pods) >= 15
    assert "CronJob/sift-backup" in pods
    problems = {name: found for name, pod in pods.items() if (found := insecure(pod))}
    assert problems == {}
    for name, pod in pods.items():
        assert pod.get("automountServiceAccountToken") is False, name
        for container in pod["containers"]:
            assert {"requests", "limits"} <= container["resources"].keys(), name


def test_the_security_check_finds_each_breach() -> None:
    good = {
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
        "containers": [
            {
                "name": "app",
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
        ],
    }
    assert insecure(good) == []
    breaches = {
        "runAsUser": 0,
        "readOnlyRootFilesystem": False,
        "allowPrivilegeEscalation": True,
        "privileged": True,
        "capabilities": {"drop": ["NET_RAW"]},
    }
    for key, value in breaches.items():
        pod = copy.deepcopy(good)
        pod["containers"][0]["securityContext"][key] = value
        assert len(insecure(pod)) == 1, key


@needs_kubectl
def test_prod_keeps_its_data_outside_and_dev_inside() -> None:
    prod, dev = render_overlay("prod"), render_overlay("dev")
    assert not [d for d in prod if d["kind"] in ("StatefulSet", "Secret")]
    stateful = {d["metadata"]["name"] for d in dev if d["kind"] == "StatefulSet"}
    assert stateful == {"sift-postgres", "sift-redis", "sift-storage"}
    assert {d["metadata"]["namespace"] for d in prod if "metadata" in d} == {"sift"}


@needs_kubectl
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_the_backup_slot_waits_suspended_and_may_reach_the_data(overlay: str) -> None:
    documents = render_overlay(overlay)
    backup = next(d for d in documents if d["kind"] == "CronJob")
    assert backup["metadata"]["name"] == "sift-backup"
    assert backup["spec"]["suspend"] is True  # until `sift backup` exists (issue 19)
    component = backup["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"][
        "app.kubernetes.io/component"
    ]
    to_data = next(
        d
        for d in documents
        if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "sift-to-datastores"
    )
    selector = to_data["spec"]["podSelector"]["matchExpressions"][0]
    assert component in selector["values"]


# --- Compose ---


def test_compose_runs_every_process_kind() -> None:
    services = compose_services()
    for service in SERVICES:
        assert services[service]["command"][:2] == ["serve", service]
    for replicated in ("identity", "search"):
        assert services[f"{replicated}-2"]["command"] == services[replicated]["command"]
        aliases = services[f"{replicated}-2"]["networks"]["default"]["aliases"]
        assert aliases == [replicated]
    consumers = {name for name in services if name.startswith("consume-")}
    assert consumers == {f"consume-{s}" for s in services_with_consumers(SERVICES)}
    gateway_needs = set(services["gateway"]["depends_on"])
    assert {*SERVICES, "identity-2", "search-2", "web"} <= gateway_needs
    for name, service in services.items():
        needs = service.get("depends_on", {})
        if "migrate" in needs:
            assert needs["migrate"]["condition"] == "service_completed_successfully", name


def test_observability_and_logging_wait_behind_their_profiles() -> None:
    services = compose_services()
    profiled = {name: s["profiles"] for name, s in services.items() if "profiles" in s}
    assert set(profiled) == {
        "prometheus",
        "grafana",
        "postgres-exporter",
        "redis-exporter",
        "elasticsearch",
        "logging-setup",
        "logstash",
        "filebeat",
        "kibana",
    }
    assert {p for profiles in profiled.values() for p in profiles} == {"observability", "logging"}
    for name in profiled:  # nothing of Sift's waits on them: the stack runs without
        for other, service in services.items():
            assert name not in service.get("depends_on", {}) or other in profiled, other
        for port in services[name].get("ports", []):
            assert port.startswith("127.0.0.1:"), name


@pytest.mark.parametrize("compose_file", ["compose.yaml", "compose.dev.yaml"])
def test_compose_files_follow_the_compose_spec(compose_file: str, tmp_path: Path) -> None:
    checker = Path(sys.executable).with_name("check-jsonschema")
    command = [str(checker), "--builtin-schema", "vendor.compose-spec"]
    assert subprocess.run([*command, str(COMPOSE / compose_file)], check=False).returncode == 0
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  web:\n    image: x\n    restarts: always\n")
    result = subprocess.run([*command, str(broken)], capture_output=True, check=False)
    assert result.returncode == 1


# --- the gateway config each renders ---


def interpolate(value: str) -> str:
    """Compose's `${VAR:-default}` with defaults (`${VAR:?...}` gets a stand-in)."""
    value = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{[A-Z0-9_]+:\?[^}]*\}", "stand-in", value)


def compose_gateway_env() -> dict[str, str]:
    env = compose_services()["gateway"]["environment"]
    return {key: interpolate(str(value)) for key, value in env.items()}


def k8s_gateway_env() -> dict[str, str]:
    documents = render_overlay("prod")
    config = next(d for d in documents if d["kind"] == "ConfigMap")["data"]
    gateway = next(
        d
        for d in documents
        if d["kind"] == "Deployment" and d["metadata"]["name"] == "sift-gateway"
    )
    container = gateway["spec"]["template"]["spec"]["containers"][0]
    return {**config, **{item["name"]: item["value"] for item in container["env"]}}


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("nginx") is None or shutil.which("unshare") is None,
    reason="nginx -t resolves the upstream names through a private /etc/hosts (root)",
)
@pytest.mark.parametrize("target", ["compose", "kubernetes"])
def test_the_rendered_gateway_config_passes_nginx_t(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if target == "kubernetes" and KUBECTL is None:
        pytest.skip("kubectl renders the overlays")
    env = compose_gateway_env() if target == "compose" else k8s_gateway_env()
    for key, value in env.items():
        if key.startswith(("SIFT_GATEWAY_", "SIFT_PUBLIC_URL")):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("SIFT_DATA_DIR", str(tmp_path))
    core, gateway = CoreSettings(), GatewaySettings()
    paths = GatewayPaths.under(tmp_path)
    paths.create()
    tls = ensure_self_signed_certificate(paths.tls_dir)
    config = render_gateway_config(core, gateway, service_layouts(), paths=paths, tls=tls)
    paths.config.write_text(config)
    hosts = sorted(set(re.findall(r"server ([a-z][a-z0-9-]*):\d+ ", config)))
    assert len(hosts) == len(SERVICES) + 1, hosts  # one name per service, and the web app
    (tmp_path / "hosts").write_text(f"127.0.0.1 localhost {' '.join(hosts)}\n")
    check = " ".join([*nginx_command(gateway, paths)[:-2], "-t", "-q"])
    script = f"mount --bind {tmp_path / 'hosts'} /etc/hosts && {check}"
    result = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
