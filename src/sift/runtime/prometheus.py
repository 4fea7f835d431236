"""Prometheus for `sift up`: the scrape targets it writes (file-based discovery) and, with
`--observability`, Debian's `prometheus` run against them with Sift's alert rules."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sift.core.config import CoreSettings
from sift.runtime.services import ServiceLayout

# In a checkout (`sift up` runs from one): deploy/prometheus beside src/.
RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "alerts.yml"
DEFAULT_PORT = 9090


@dataclass(frozen=True)
class PrometheusPaths:
    root: Path

    @classmethod
    def of(cls, settings: CoreSettings) -> PrometheusPaths:
        return cls(settings.data_dir / "prometheus")

    @property
    def targets(self) -> Path:
        return self.root / "targets.json"

    @property
    def config(self) -> Path:
        return self.root / "prometheus.yml"

    @property
    def data(self) -> Path:
        return self.root / "data"


def scrape_targets(
    layouts: Mapping[str, ServiceLayout], processes: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """One target group per service (each replica's port, labelled with the service) and
    one per process without HTTP (its metrics port, labelled with the process)."""
    services = [
        {
            "targets": [f"127.0.0.1:{port}" for port in layout.ports],
            "labels": {"job": "sift", "service": layout.name},
        }
        for layout in layouts.values()
    ]
    return services + [
        {"targets": [f"127.0.0.1:{port}"], "labels": {"job": "sift", "process": name}}
        for name, port in (processes or {}).items()
    ]


def write_scrape_targets(
    paths: PrometheusPaths,
    layouts: Mapping[str, ServiceLayout],
    processes: Mapping[str, int] | None = None,
) -> Path:
    """Written on every `sift up`: Prometheus re-reads the file when it changes."""
    paths.root.mkdir(parents=True, exist_ok=True)
    temporary = paths.targets.with_suffix(".tmp")
    temporary.write_text(json.dumps(scrape_targets(layouts, processes), indent=2))
    os.replace(temporary, paths.targets)  # whole or not at all: Prometheus may be reading
    return paths.targets


def prometheus_config(
    targets: Path,
    rule_files: Sequence[Path] = (),
    *,
    scrape_interval: str = "15s",
    evaluation_interval: str = "15s",
) -> str:
    config = {
        "global": {
            "scrape_interval": scrape_interval,
            "evaluation_interval": evaluation_interval,
        },
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [
            {
                "job_name": "sift",
                "file_sd_configs": [{"files": [str(targets)], "refresh_interval": "30s"}],
            }
        ],
    }
    return str(yaml.safe_dump(config, sort_keys=False))


def prometheus_command(paths: PrometheusPaths, port: int = DEFAULT_PORT) -> list[str]:
    binary = shutil.which("prometheus") or "/usr/bin/prometheus"
    return [
        binary,
        f"--config.file={paths.config}",
        f"--storage.tsdb.path={paths.data}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--storage.tsdb.retention.time=7d",
    ]


def prepare_prometheus(
    settings: CoreSettings,
    layouts: Mapping[str, ServiceLayout],
    port: int = DEFAULT_PORT,
    processes: Mapping[str, int] | None = None,
) -> list[str]:
    """The targets and configuration in place; the command that runs Prometheus on them."""
    paths = PrometheusPaths.of(settings)
    targets = write_scrape_targets(paths, layouts, processes)
    rules = [RULES] if RULES.is_file() else []
    paths.config.write_text(prometheus_config(targets, rules))
    return prometheus_command(paths, port)
