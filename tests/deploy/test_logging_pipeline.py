"""deploy/logging/: Filebeat, Logstash and the Elasticsearch index template agree with each
other, with Compose's `logging` profile, and with the fields Sift's processes and the
gateway actually write. (The Elastic stack itself does not run here.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from sift.core.config import CoreSettings
from sift.runtime.gateway import GatewayPaths, GatewaySettings, render_gateway_config
from sift.runtime.services import service_layouts
from sift.runtime.tls import ensure_self_signed_certificate
from tests.core.test_logging import emit_sample_lines

ROOT = Path(__file__).resolve().parents[2]
LOGGING = ROOT / "deploy" / "logging"
COMPOSE = ROOT / "deploy" / "compose" / "compose.yaml"


def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((LOGGING / "elasticsearch" / "sift-logs.json").read_text())
    return loaded


def mapping_of(field: str) -> dict[str, Any] | None:
    """The template's mapping that takes a dotted field: its own, or a flattened parent's."""
    node: dict[str, Any] = {"properties": template()["template"]["mappings"]["properties"]}
    for part in field.split("."):
        if node.get("type") == "flattened":
            return node
        child = node.get("properties", {}).get(part)
        if child is None:
            return None
        node = child
    return node


def test_the_template_maps_every_field_sift_s_processes_write(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = emit_sample_lines(capsys)
    fields = {key for line in lines for key in line}
    assert {"@timestamp", "error.stack_trace", "http.request.id", "sift.chunks"} <= fields
    unmapped = sorted(field for field in fields if mapping_of(field) is None)
    assert unmapped == []
    assert mapping_of("@timestamp") == {"type": "date"}
    assert mapping_of("http.request.id") == {"type": "keyword", "ignore_above": 1024}
    assert mapping_of("sift.anything") == {"type": "flattened", "ignore_above": 8191}
    # Room for the tracing fields.
    assert mapping_of("trace.id") is not None and mapping_of("span.id") is not None


def test_the_gateway_access_log_uses_the_same_names(tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path)
    paths = GatewayPaths.under(tmp_path)
    config = render_gateway_config(
        settings,
        GatewaySettings(),
        service_layouts(),
        paths=paths,
        tls=ensure_self_signed_certificate(paths.tls_dir),
    )
    fragments = re.search(r"log_format sift_json escape=json (.*?);\n", config, re.S)
    assert fragments is not None
    line = "".join(re.findall(r"'([^']*)'", fragments.group(1)))
    # nginx's variables with sample values: numbers where they are unquoted.
    sample = re.sub(r"(?<!\")\$[a-z_0-9]+", "1", line)
    sample = re.sub(r"\$[a-z_0-9]+", "x", sample)
    entry = json.loads(sample)
    assert entry["message"] == "http.request" and entry["service.name"] == "gateway"
    assert "http.request.id" in entry and "@timestamp" in entry
    assert sorted(field for field in entry if mapping_of(field) is None) == []


def test_filebeat_reads_sift_up_s_files_and_container_stdout() -> None:
    config = yaml.safe_load((LOGGING / "filebeat.yml").read_text())
    inputs = {entry["id"]: entry for entry in config["filebeat.inputs"]}
    files, containers = inputs["sift-up-files"], inputs["sift-containers"]
    # `sift up` writes <data dir>/logs/<process>.log; the default data dir is `.sift`.
    default_dir = CoreSettings.model_fields["data_dir"].default / "logs"
    assert files["paths"] == [f"${{SIFT_LOG_DIR:{default_dir}}}/*.log"]
    for entry in (files, containers):
        [ndjson] = [parser["ndjson"] for parser in entry["parsers"] if "ndjson" in parser]
        assert ndjson["expand_keys"] and ndjson["overwrite_keys"] and ndjson["target"] == ""
        assert ndjson["message_key"] == "message"
    assert {"container": {}} in containers["parsers"]
    assert config["output.logstash"]["hosts"] == ["${SIFT_LOGSTASH_HOSTS:logstash:5044}"]


def test_logstash_listens_where_filebeat_sends_and_writes_the_template_s_stream() -> None:
    pipeline = (LOGGING / "logstash" / "sift.conf").read_text()
    assert re.search(r"beats\s*\{\s*port\s*=>\s*5044", pipeline)
    assert pipeline.count("{") == pipeline.count("}")
    kind = re.search(r'data_stream_type\s*=>\s*"(\w+)"', pipeline)
    dataset = re.search(r'data_stream_dataset\s*=>\s*"(\w+)"', pipeline)
    assert kind is not None and dataset is not None
    stream = f"{kind.group(1)}-{dataset.group(1)}-default"
    [pattern] = template()["index_patterns"]
    assert re.fullmatch(pattern.replace("*", ".*"), stream)
    assert "data_stream" in template() and template()["priority"] > 100  # over logs-*-*


def test_compose_s_logging_profile_mounts_these_files() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    mounted = {
        name: [volume.split(":")[0] for volume in service.get("volumes", [])]
        for name, service in services.items()
        if "logging" in service.get("profiles", [])
    }
    assert set(mounted) == {"elasticsearch", "logging-setup", "logstash", "filebeat", "kibana"}
    for sources in mounted.values():
        for source in sources:
            if source.startswith("../"):
                assert (COMPOSE.parent / source).resolve().exists(), source
    assert "../logging/filebeat.yml" in mounted["filebeat"]
    assert "../logging/logstash/sift.conf" in mounted["logstash"]
    assert "../logging/elasticsearch" in mounted["logging-setup"]
    setup = services["logging-setup"]
    assert setup["entrypoint"][-1] == "/setup/install-template.sh"
    needs = services["logstash"]["depends_on"]["logging-setup"]
    assert needs == {"condition": "service_completed_successfully"}
