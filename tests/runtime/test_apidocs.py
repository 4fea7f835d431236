"""The gateway's merged OpenAPI document and its offline Swagger UI page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sift import SERVICES
from sift.core.config import CoreSettings, Environment
from sift.runtime.apidocs import SpecConflict, merge_specs, service_spec, write_api_docs


def _spec(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "paths": paths, "components": {"schemas": schemas}}


def _get(operation_id: str, ref: str) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}
    return {"get": {"operationId": operation_id, "responses": {"200": {"content": content}}}}


def test_identical_schemas_are_shared_and_different_ones_renamed_with_their_refs() -> None:
    problem = {"type": "object", "properties": {"title": {"type": "string"}}}
    first = _spec(
        {"/api/a/item": _get("item_get", "Item")},
        {"Item": {"type": "object", "properties": {"a": {"type": "string"}}}, "Problem": problem},
    )
    second = _spec(
        {"/api/b/item": _get("item_get", "Wrapper")},
        {
            "Item": {"type": "object", "properties": {"b": {"type": "integer"}}},
            "Wrapper": {"properties": {"item": {"$ref": "#/components/schemas/Item"}}},
            "Problem": problem,
        },
    )

    merged = merge_specs([("alpha", first), ("beta", second)])

    schemas = merged["components"]["schemas"]
    assert set(schemas) == {"Item", "BetaItem", "Wrapper", "Problem"}
    assert schemas["Item"]["properties"] == {"a": {"type": "string"}}
    assert schemas["BetaItem"]["properties"] == {"b": {"type": "integer"}}
    # The schema that refers to the renamed one follows the rename.
    assert schemas["Wrapper"]["properties"]["item"]["$ref"] == "#/components/schemas/BetaItem"
    assert merged["paths"]["/api/a/item"]["get"]["operationId"] == "alpha_item_get"
    assert merged["paths"]["/api/b/item"]["get"]["operationId"] == "beta_item_get"


def test_a_path_declared_by_two_services_is_refused() -> None:
    spec = _spec({"/api/x": _get("x", "X")}, {"X": {"type": "object"}})
    with pytest.raises(SpecConflict, match="/api/x"):
        merge_specs([("alpha", spec), ("beta", json.loads(json.dumps(spec)))])


def test_written_docs_cover_every_service_and_load_no_remote_asset(tmp_path: Path) -> None:
    # Building the specs starts nothing: no database or Redis is needed.
    settings = CoreSettings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    merged_file = write_api_docs(settings, tmp_path / "apidocs")

    merged = json.loads(merged_file.read_text())
    assert merged["openapi"].startswith("3.1")
    for path in ("/api/auth/login", "/api/collections", "/api/documents"):
        assert path in merged["paths"]
    for service in ("identity", "documents", "search", "assistant", "notifications", "audit"):
        assert f"/api/{service}/healthz" in merged["paths"]
        assert (tmp_path / "apidocs" / f"{service}.json").is_file()
    operation_ids = [
        operation["operationId"]
        for item in merged["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(operation_ids) == len(set(operation_ids))
    page = (tmp_path / "apidocs" / "index.html").read_text()
    init = (tmp_path / "apidocs" / "init.js").read_text()
    assert "http" not in page  # every asset is served from the gateway itself
    assert "<script>" not in page  # no inline script: the CSP allows only files
    assert '"/api/openapi.json"' in init
    assert (tmp_path / "apidocs" / "swagger-ui-bundle.js").stat().st_size > 100_000


def test_a_restart_with_nothing_changed_reuses_the_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = CoreSettings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    directory = tmp_path / "apidocs"
    merged_file = write_api_docs(settings, directory, ["audit"])
    merged_file.write_text('{"kept": true}')  # what a rebuild would overwrite
    assert write_api_docs(settings, directory, ["audit"]) == merged_file
    assert json.loads(merged_file.read_text()) == {"kept": True}
    monkeypatch.setenv("SIFT_AUDIT_SOMETHING", "changed")  # a setting may change a spec
    write_api_docs(settings, directory, ["audit"])
    assert "/api/audit/healthz" in json.loads(merged_file.read_text())["paths"]
    merged_file.write_text('{"kept": true}')
    write_api_docs(settings, directory, ["audit", "search"])  # another set of services
    assert "/api/search/healthz" in json.loads(merged_file.read_text())["paths"]


def test_the_merged_document_defines_every_security_scheme_its_operations_name() -> None:
    settings = CoreSettings(env=Environment.test, log_json=False)
    merged = merge_specs([(name, service_spec(name, settings)) for name in SERVICES])
    named = {
        scheme
        for item in merged["paths"].values()
        for operation in item.values()
        for requirement in operation.get("security", ())
        for scheme in requirement
    }
    assert named == {"HTTPBearer", "ApiKey"}
    assert set(merged["components"]["securitySchemes"]) == named
    assert merged["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    other = {"components": {"securitySchemes": {"HTTPBearer": {"type": "apiKey"}}}}
    with pytest.raises(SpecConflict, match="HTTPBearer"):
        merge_specs([("alpha", service_spec("search", settings)), ("beta", other)])
