"""`podman kube play` of the rendered Kubernetes `dev` overlay: the data stores, the
migration and bucket Jobs, then the six services, each of which must answer its
`/readyz` through its Service's name. `scripts/test-containers.sh` runs this after the
Compose stack; alone: `.venv/bin/python scripts/kube_play.py` (root podman, the images of
scripts/build-images.sh). `--keep` leaves the pods running.

podman 4.3 (Debian 12) plays Pods, Deployments, ConfigMaps and Secrets. What it lacks is
made up here; nothing else in the manifests is changed (the containers, their commands,
environment, probes, security contexts and resources run as rendered):
- it has no Services: each pod's infra container joins the network with the name of the
  Service that selects it as an alias (what cluster DNS and kube-proxy do; every Service
  of these pods listens on its container's port);
- StatefulSets are played as Deployments (their volume claims as emptyDir) and Jobs as
  Pods, waited for before the services start (the order `kubectl apply` leaves to
  restarts);
- a Secret must already exist as a podman secret holding a JSON map of base64 values:
  4.3 stores a played Secret as YAML and then cannot read it back;
- 4.3 publishes every containerPort on the host (Kubernetes never does), which would
  take the host's own 5432, 6379 and 81xx: the played copies list no ports, and probes
  name their port by number;
- 4.3 makes each emptyDir a podman volume named as the pod's volume, shared by every pod
  with a volume of that name (`tmp`, `data`): the copies prefix them with the pod's name.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
NETWORK = "sift-kube"
SERVICES = ("identity", "documents", "search", "assistant", "notifications", "audit")
Doc = dict[str, Any]


@dataclass
class Plan:
    configmaps: list[Doc]
    secrets: dict[str, dict[str, str]]
    phases: list[tuple[str, list[Doc]]]
    aliases: dict[str, str] = field(default_factory=dict)  # pod name -> Service name
    ports: dict[str, int] = field(default_factory=dict)  # Service name -> port


def render(overlay: str = "dev") -> list[Doc]:
    path = ROOT / "deploy" / "k8s" / "overlays" / overlay
    result = subprocess.run(
        ["kubectl", "kustomize", str(path)], capture_output=True, text=True, check=True
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def as_deployment(statefulset: Doc) -> Doc:
    doc = copy.deepcopy(statefulset)
    doc["kind"] = "Deployment"
    spec = doc["spec"]
    spec.pop("serviceName", None)
    claims = spec.pop("volumeClaimTemplates", [])
    volumes = spec["template"]["spec"].setdefault("volumes", [])
    volumes += [{"name": claim["metadata"]["name"], "emptyDir": {}} for claim in claims]
    return doc


BACKOFF_LIMIT = "sift.kube-play/backoff-limit"


def as_pod(job: Doc) -> Doc:
    template = job["spec"]["template"]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": job["metadata"]["name"],
            "labels": template["metadata"]["labels"],
            # Kubernetes runs a failed Job's pod again up to this many times (its default: 6).
            "annotations": {BACKOFF_LIMIT: str(job["spec"].get("backoffLimit", 6))},
        },
        "spec": copy.deepcopy(template["spec"]),
    }


def run_job(container: str, retries: int) -> None:
    """Waits for a Job's container to exit 0, starting it again after a failure as
    Kubernetes would (a migration that found its database still starting, say)."""
    for attempt in range(retries + 1):
        code = podman("wait", container).stdout.strip()
        if code == "0":
            print(f"kube play: finished: {container}", flush=True)
            return
        logs = podman("logs", "--tail", "30", container, check=False)
        print(logs.stdout + logs.stderr, flush=True)
        if attempt == retries:
            raise SystemExit(f"kube play: {container} exited with {code}, {retries} retries spent")
        print(f"kube play: {container} exited with {code}; retry {attempt + 1} of {retries}")
        time.sleep(min(10 * 2**attempt, 60))
        podman("start", container)


def pod_spec(doc: Doc) -> Doc:
    return dict(doc["spec"] if doc["kind"] == "Pod" else doc["spec"]["template"]["spec"])


def localized(doc: Doc) -> Doc:
    """The copy podman plays: no published ports, probes by port number, volumes of its
    own (see the module's docstring)."""
    doc = copy.deepcopy(doc)
    spec = doc["spec"] if doc["kind"] == "Pod" else doc["spec"]["template"]["spec"]
    prefix = doc["metadata"]["name"]
    for volume in spec.get("volumes", []):
        volume["name"] = f"{prefix}-{volume['name']}"
    for container in spec["containers"]:
        named = {port["name"]: port["containerPort"] for port in container.pop("ports", [])}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            for action in ("httpGet", "tcpSocket"):
                where = container.get(probe, {}).get(action)
                if where and isinstance(where["port"], str):
                    where["port"] = named[where["port"]]
        for mount in container.get("volumeMounts", []):
            mount["name"] = f"{prefix}-{mount['name']}"
    return doc


def pod_name(doc: Doc) -> str:
    name = doc["metadata"]["name"]
    return f"{name}-pod-0" if doc["kind"] == "Deployment" else name


def pod_labels(doc: Doc) -> dict[str, str]:
    metadata = doc["metadata"] if doc["kind"] == "Pod" else doc["spec"]["template"]["metadata"]
    return dict(metadata.get("labels", {}))


def plan(documents: list[Doc], services: tuple[str, ...] = SERVICES) -> Plan:
    def of(kind: str) -> list[Doc]:
        return [doc for doc in documents if doc["kind"] == kind]

    deployments = {doc["metadata"]["name"]: doc for doc in of("Deployment")}
    secrets = {doc["metadata"]["name"]: dict(doc.get("data", {})) for doc in of("Secret")}
    phases = [
        ("datastores", [as_deployment(doc) for doc in of("StatefulSet")]),
        ("jobs", [as_pod(doc) for doc in of("Job")]),
        ("services", [deployments[f"sift-{service}"] for service in services]),
    ]
    result = Plan(of("ConfigMap"), secrets, phases)
    for service in of("Service"):
        selector = service["spec"]["selector"]
        result.ports[service["metadata"]["name"]] = service["spec"]["ports"][0]["port"]
        for _, docs in phases:
            for doc in docs:
                labels = pod_labels(doc)
                if all(labels.get(key) == value for key, value in selector.items()):
                    result.aliases[pod_name(doc)] = service["metadata"]["name"]
    return result


def containers(doc: Doc) -> list[Doc]:
    return list(pod_spec(doc)["containers"])


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["podman", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit(f"kube play: podman {' '.join(args)}: {result.stderr.strip()}")
    return result


def play(name: str, docs: list[Doc], work: Path, configmaps: Path, aliases: dict[str, str]) -> None:
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump_all([localized(doc) for doc in docs], sort_keys=False))
    podman(
        "kube",
        "play",
        "--start=false",
        "--network",
        NETWORK,
        "--configmap",
        str(configmaps),
        str(path),
    )
    for doc in docs:
        pod = pod_name(doc)
        if pod in aliases:
            infra = podman(
                "pod", "inspect", "--format", "{{.InfraContainerID}}", pod
            ).stdout.strip()
            podman("network", "disconnect", NETWORK, infra)
            podman("network", "connect", "--alias", aliases[pod], NETWORK, infra)
        podman("pod", "start", pod)
    print(f"kube play: {name}: started {', '.join(pod_name(doc) for doc in docs)}", flush=True)


def wait_until(what: str, probe: list[str], deadline: float) -> None:
    while podman(*probe, check=False).returncode != 0:
        if time.monotonic() > deadline:
            raise SystemExit(f"kube play: {what} not ready in time")
        time.sleep(3)
    print(f"kube play: ready: {what}", flush=True)


def run(overlay: str, keep: bool, timeout: float) -> None:
    the_plan = plan(render(overlay))
    work = Path(tempfile.mkdtemp(prefix="sift-kube-"))
    configmaps = work / "configmaps.yaml"
    configmaps.write_text(yaml.safe_dump_all(the_plan.configmaps, sort_keys=False))
    played: list[Path] = []
    try:
        if podman("network", "exists", NETWORK, check=False).returncode != 0:
            podman("network", "create", NETWORK)
        for name, values in the_plan.secrets.items():
            podman("secret", "rm", name, check=False)
            (work / f"{name}.json").write_text(json.dumps(values))
            podman("secret", "create", name, str(work / f"{name}.json"))
        started = time.monotonic()
        deadline = started + timeout
        for name, docs in the_plan.phases:
            played.append(work / f"{name}.yaml")
            play(name, docs, work, configmaps, the_plan.aliases)
            for doc in docs:
                container = f"{pod_name(doc)}-{containers(doc)[0]['name']}"
                if name == "jobs":
                    run_job(container, int(doc["metadata"]["annotations"][BACKOFF_LIMIT]))
                elif name == "datastores":
                    port = containers(doc)[0]["ports"][0]["containerPort"]
                    check = f"import socket; socket.create_connection(('127.0.0.1', {port}), 2)"
                    wait_until(container, ["exec", container, "python3", "-c", check], deadline)
        # Each service's readiness through its Service name, asked from a service pod: the
        # names resolve and the ports are the Services' own.
        first = the_plan.phases[-1][1][0]
        asker = f"{pod_name(first)}-{containers(first)[0]['name']}"
        for service in SERVICES:
            url = f"http://sift-{service}:{the_plan.ports[f'sift-{service}']}/api/{service}/readyz"
            check = f"import urllib.request; urllib.request.urlopen({url!r}, timeout=5)"
            wait_until(url, ["exec", asker, "python3", "-c", check], deadline)
        took = time.monotonic() - started
        print(f"kube play: every service ready {took:.0f} s after the first pod")
        # The pods' security contexts held: each service runs as 10001 on a read-only root.
        for doc in the_plan.phases[-1][1]:
            container = f"{pod_name(doc)}-{containers(doc)[0]['name']}"
            shown = podman(
                "inspect", "--format", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}", container
            ).stdout.split()
            if shown[0].split(":")[0] != "10001" or shown[1] != "true":
                raise SystemExit(f"kube play: {container} runs as {shown}")
        print("kube play: every service runs as user 10001 on a read-only root filesystem")
    except BaseException:
        for pod in the_plan.aliases:
            logs = podman("pod", "logs", "--tail", "10", pod, check=False)
            print(f"== {pod}\n{logs.stdout}{logs.stderr}", file=sys.stderr)
        raise
    finally:
        if not keep:
            for path in reversed(played):
                podman("kube", "down", str(path), check=False)
            for _, docs in the_plan.phases:
                for doc in docs:
                    for volume in pod_spec(localized(doc)).get("volumes", []):
                        podman("volume", "rm", "--force", volume["name"], check=False)
            for name in the_plan.secrets:
                podman("secret", "rm", name, check=False)
            podman("network", "rm", NETWORK, check=False)
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--overlay", default="dev")
    parser.add_argument("--keep", action="store_true", help="leave the pods running")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds for everything to be ready"
    )
    args = parser.parse_args()
    run(args.overlay, args.keep, args.timeout)


if __name__ == "__main__":
    main()
