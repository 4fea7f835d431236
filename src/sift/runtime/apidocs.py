"""The gateway's API reference: one OpenAPI document merged from every service, and Swagger UI.

Built when the gateway starts, from the service apps themselves (no service needs to be up),
and served by nginx as static files: `/api/openapi.json` and `/api/docs/`. Swagger UI comes
(version 5, which reads OpenAPI 3.1) comes from the `fastapi-offline` package, so the page
works offline and under a CSP that allows only this origin's scripts.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

import fastapi_offline
from fastapi import FastAPI

import sift
from sift import SERVICES
from sift.core.config import CoreSettings
from sift.runtime.logs import kept_logging

SCHEMA_REF = "#/components/schemas/"
SWAGGER_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon.png")

INDEX_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Sift API reference</title>
  <link rel="icon" type="image/png" href="favicon.png">
  <link rel="stylesheet" href="swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script src="init.js"></script>
</body>
</html>
"""

# A separate file rather than an inline script: the page's CSP allows only 'self' scripts.
INIT_JS = """window.ui = SwaggerUIBundle({
  urls: %s,
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
});
"""


class SpecConflict(ValueError):
    """Two services declare the same path: the gateway could not route it either."""


def _rename_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    if isinstance(node, dict):
        renamed: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_REF):
                name = value.removeprefix(SCHEMA_REF)
                renamed[key] = SCHEMA_REF + renames.get(name, name)
            else:
                renamed[key] = _rename_refs(value, renames)
        return renamed
    return node


def merge_specs(specs: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One OpenAPI document: paths side by side, schemas shared when identical.

    A schema whose name is taken by a different one is renamed `<Service><Name>`; renaming
    changes the schemas that refer to it, so the comparison repeats until nothing differs.
    Operation IDs get the service as prefix (every service has `health_healthz`).
    """
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Sift API", "version": version("sift")},
        "paths": {},
        "components": {"schemas": {}},
    }
    schemas: dict[str, Any] = merged["components"]["schemas"]
    for service, original in specs:
        renames: dict[str, str] = {}
        spec = original
        changed = True
        while changed:
            changed = False
            spec = _rename_refs(original, renames)
            for name, schema in spec.get("components", {}).get("schemas", {}).items():
                if name not in renames and name in schemas and schemas[name] != schema:
                    renames[name] = service.capitalize() + name
                    changed = True
        for name, schema in spec.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(name, name)] = schema
        # Operations name their security schemes (`HTTPBearer`, `ApiKey`): keep them.
        for name, scheme in spec.get("components", {}).get("securitySchemes", {}).items():
            schemes = merged["components"].setdefault("securitySchemes", {})
            if schemes.setdefault(name, scheme) != scheme:
                raise SpecConflict(f"{service}: security scheme {name} differs from another's")
        for route, item in spec.get("paths", {}).items():
            if route in merged["paths"]:
                raise SpecConflict(f"{service}: {route} is declared by another service too")
            for operation in item.values():
                if isinstance(operation, dict) and "operationId" in operation:
                    operation["operationId"] = f"{service}_{operation['operationId']}"
            merged["paths"][route] = item
    return merged


def service_spec(name: str, settings: CoreSettings) -> dict[str, Any]:
    """The service's OpenAPI document, from its app factory (nothing starts)."""
    module = importlib.import_module(f"sift.{name}.app")
    create_app = cast(Callable[[CoreSettings], FastAPI], module.create_app)
    with kept_logging():
        return create_app(settings).openapi()


FINGERPRINT = "fingerprint"


def docs_fingerprint(settings: CoreSettings, services: Iterable[str]) -> str:
    """What the documents are made from: Sift's code (each module's path, size and mtime),
    the settings (given, `SIFT_*` and `.env`), the services, and the package versions.

    Building every service's app for its spec takes seconds; a restart with none of
    this changed reuses the documents written last time."""
    digest = hashlib.sha256()
    package = Path(sift.__file__).parent
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for key in sorted(key for key in os.environ if key.startswith("SIFT_")):
        digest.update(f"{key}={os.environ[key]}\n".encode())
    with contextlib.suppress(OSError):
        digest.update(Path(".env").read_bytes())
    digest.update(settings.model_dump_json().encode())
    digest.update(",".join(services).encode())
    for name in ("fastapi", "pydantic", "fastapi-offline"):
        digest.update(f"{name}={version(name)}\n".encode())
    return digest.hexdigest()


def write_api_docs(
    settings: CoreSettings, directory: Path, services: Iterable[str] = SERVICES
) -> Path:
    """Write `openapi.json` (merged), each service's spec, and the Swagger UI page, unless
    the ones there were made from the same code and settings."""
    services = tuple(services)
    fingerprint = docs_fingerprint(settings, services)
    merged_path = directory / "openapi.json"
    with contextlib.suppress(OSError):
        if merged_path.is_file() and (directory / FINGERPRINT).read_text() == fingerprint:
            return merged_path
    directory.mkdir(parents=True, exist_ok=True)
    specs = [(name, service_spec(name, settings)) for name in services]
    for name, spec in specs:
        (directory / f"{name}.json").write_text(json.dumps(spec))
    # merge_specs rewrites operation IDs in place: the per-service files are written first.
    merged = merge_specs(specs)
    (directory / "openapi.json").write_text(json.dumps(merged))
    assets = Path(fastapi_offline.__file__).parent / "static"
    for asset in SWAGGER_ASSETS:
        shutil.copyfile(assets / asset, directory / asset)
    urls = [{"url": "/api/openapi.json", "name": "Sift (all services)"}] + [
        {"url": f"/api/docs/{name}.json", "name": name} for name, _ in specs
    ]
    (directory / "index.html").write_text(INDEX_HTML)
    (directory / "init.js").write_text(INIT_JS % json.dumps(urls))
    (directory / FINGERPRINT).write_text(fingerprint)  # last: a half-written set is redone
    return merged_path
