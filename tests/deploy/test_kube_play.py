"""What `scripts/kube_play.py` hands `podman kube play`: the `dev` overlay's own pods, with
only what podman 4.3 lacks made up (Services as network aliases, StatefulSets and Jobs
in forms it plays, the Secret as podman reads it). The run itself is
`make test-containers`'."""

from __future__ import annotations

import base64
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from sift import SERVICES

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl renders")


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kube_play", ROOT / "scripts" / "kube_play.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["kube_play"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def rendered() -> list[dict[str, Any]]:
    result = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "deploy" / "k8s" / "overlays" / "dev")],
        capture_output=True,
        text=True,
        check=True,
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def test_the_services_are_played_as_rendered() -> None:
    kube_play = load_script()
    documents = rendered()
    plan = kube_play.plan(documents)
    assert tuple(kube_play.SERVICES) == tuple(SERVICES)
    phases = dict(plan.phases)
    assert list(phases) == ["datastores", "jobs", "services"]
    originals = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "Deployment"}
    assert phases["services"] == [originals[f"sift-{service}"] for service in SERVICES]
    assert [doc["kind"] for doc in phases["datastores"]] == ["Deployment"] * 3
    assert {doc["metadata"]["name"] for doc in phases["jobs"]} == {
        "sift-migrate",
        "sift-storage-init",
    }
    assert plan.configmaps == [doc for doc in documents if doc["kind"] == "ConfigMap"]
    # A Job's pod is run again after a failure, as often as the Job allows.
    jobs = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "Job"}
    for pod in phases["jobs"]:
        limit = pod["metadata"]["annotations"][kube_play.BACKOFF_LIMIT]
        assert limit == str(jobs[pod["metadata"]["name"]]["spec"]["backoffLimit"])


def test_the_data_stores_keep_their_pods_and_get_scratch_volumes() -> None:
    kube_play = load_script()
    documents = rendered()
    statefulsets = {
        doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "StatefulSet"
    }
    for played in dict(kube_play.plan(documents).phases)["datastores"]:
        original = statefulsets[played["metadata"]["name"]]
        template = played["spec"]["template"]
        assert template["spec"]["containers"] == original["spec"]["template"]["spec"]["containers"]
        volumes = {volume["name"]: volume for volume in template["spec"]["volumes"]}
        for claim in original["spec"]["volumeClaimTemplates"]:
            assert volumes[claim["metadata"]["name"]] == {
                "name": claim["metadata"]["name"],
                "emptyDir": {},
            }
        assert "volumeClaimTemplates" not in played["spec"]


def test_every_pod_answers_to_its_service_name_on_the_service_port() -> None:
    kube_play = load_script()
    plan = kube_play.plan(rendered())
    for _, docs in plan.phases:
        for doc in docs:
            pod = kube_play.pod_name(doc)
            if doc["kind"] == "Pod":  # the Jobs: no Service selects them
                assert pod not in plan.aliases
                continue
            service = plan.aliases[pod]
            assert service == doc["metadata"]["name"]
            ports = {
                port["containerPort"] for c in kube_play.containers(doc) for port in c["ports"]
            }
            assert plan.ports[service] in ports, service  # no kube-proxy to map a port


def test_the_secret_is_a_json_map_of_base64_values() -> None:
    kube_play = load_script()
    secrets = kube_play.plan(rendered()).secrets
    values = {
        key: base64.b64decode(value).decode() for key, value in secrets["sift-secrets"].items()
    }
    assert values["DATABASE_URL"].startswith("postgresql://sift:")
    assert values["POSTGRES_PASSWORD"] in values["DATABASE_URL"]


def test_the_played_copy_changes_only_ports_and_volume_names() -> None:
    kube_play = load_script()
    for _, docs in kube_play.plan(rendered()).phases:
        for doc in docs:
            played = kube_play.localized(doc)
            prefix = doc["metadata"]["name"]
            for before, after in zip(
                kube_play.containers(doc), kube_play.containers(played), strict=True
            ):
                assert "ports" not in after  # podman 4.3 would publish each on the host
                named = {port["name"]: port["containerPort"] for port in before.get("ports", [])}
                for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                    if probe in before:
                        action = next(a for a in ("httpGet", "tcpSocket") if a in before[probe])
                        port = before[probe][action]["port"]
                        assert after[probe][action]["port"] == named.get(port, port)
                        after[probe] = before[probe]
                for mount in after.get("volumeMounts", []):
                    assert mount["name"].startswith(f"{prefix}-")
                    mount["name"] = mount["name"].removeprefix(f"{prefix}-")
                assert {**after, "ports": before.get("ports")} == {
                    **before,
                    "ports": before.get("ports"),
                }
            volumes = kube_play.pod_spec(played).get("volumes", [])
            assert all(volume["name"].startswith(f"{prefix}-") for volume in volumes)
