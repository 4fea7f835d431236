"""The web app under `sift up`: build staleness, skip logic, child spec, gateway routing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import structlog.testing

from sift.core.config import CoreSettings, Environment
from sift.runtime import web as web_module
from sift.runtime.gateway import GatewayPaths, GatewaySettings, render_gateway_config
from sift.runtime.services import service_layouts
from sift.runtime.tls import ensure_self_signed_certificate
from sift.runtime.up import TIER_BACKEND, UpOptions, child_specs, with_web_upstream
from sift.runtime.web import (
    NEXT_BIN,
    WebApp,
    WebSettings,
    build_is_stale,
    prepare_web,
    web_directory,
    web_spec,
)


def make_web_dir(root: Path, *, built: bool, modules: bool = True) -> Path:
    directory = root / "web"
    (directory / "src" / "app").mkdir(parents=True)
    (directory / "package.json").write_text('{"name": "sift-web"}')
    (directory / "src" / "app" / "page.tsx").write_text("export default function Page() {}")
    if modules:
        (directory / "node_modules").mkdir()
    if built:
        (directory / ".next").mkdir()
        build_id = directory / ".next" / "BUILD_ID"
        build_id.write_text("abc")
        later = time.time() + 5
        os.utime(build_id, (later, later))
    return directory


def app_in(directory: Path, port: int = 3123) -> WebApp:
    return WebApp(directory=directory, node="/usr/bin/node", host="127.0.0.1", port=port)


def test_the_default_directory_is_the_source_trees_web() -> None:
    assert web_directory(WebSettings()).name == "web"
    assert (web_directory(WebSettings()) / "package.json").is_file()


def test_a_missing_build_is_stale(tmp_path: Path) -> None:
    assert build_is_stale(make_web_dir(tmp_path, built=False))


def test_a_build_newer_than_its_sources_is_fresh(tmp_path: Path) -> None:
    assert not build_is_stale(make_web_dir(tmp_path, built=True))


def test_a_source_edited_after_the_build_makes_it_stale(tmp_path: Path) -> None:
    directory = make_web_dir(tmp_path, built=True)
    page = directory / "src" / "app" / "page.tsx"
    later = time.time() + 60
    os.utime(page, (later, later))
    assert build_is_stale(directory)


def test_without_node_the_web_app_is_skipped_with_a_warning(tmp_path: Path) -> None:
    directory = make_web_dir(tmp_path, built=False)
    settings = WebSettings(directory=directory, node_binary="no-such-node-binary")
    # Whatever logging another test configured, the event itself is what matters.
    with structlog.testing.capture_logs() as logs:
        assert prepare_web(settings, os.environ) is None
    assert "web.node_missing" in [entry["event"] for entry in logs]


def test_without_a_web_directory_the_web_app_is_skipped(tmp_path: Path) -> None:
    assert prepare_web(WebSettings(directory=tmp_path / "nowhere"), os.environ) is None


def test_installs_when_node_modules_is_missing_and_builds_when_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = make_web_dir(tmp_path, built=False, modules=False)
    ran: list[list[str]] = []

    def fake_run(
        argv: list[str], cwd: Path, what: str, env: dict[str, str], output: Path | None
    ) -> None:
        ran.append(argv[1:])
        if what == "build":
            (cwd / ".next").mkdir()
            (cwd / ".next" / "BUILD_ID").write_text("x")

    monkeypatch.setattr(web_module, "node_tools", lambda _settings: ("/bin/node", "/bin/npm"))
    monkeypatch.setattr(web_module, "_run", fake_run)
    app = prepare_web(WebSettings(directory=directory, port=3999), os.environ)
    assert ran == [["ci", "--no-audit", "--no-fund"], ["run", "build"]]
    assert app is not None and app.upstream == "127.0.0.1:3999"


def test_a_fresh_build_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = make_web_dir(tmp_path, built=True)
    ran: list[str] = []
    monkeypatch.setattr(web_module, "node_tools", lambda _settings: ("/bin/node", "/bin/npm"))
    monkeypatch.setattr(web_module, "_run", lambda argv, *_args: ran.append(argv[1]))
    assert prepare_web(WebSettings(directory=directory), os.environ) is not None
    assert ran == []


def test_web_spec_runs_next_start_with_node_on_the_configured_port(tmp_path: Path) -> None:
    spec = web_spec(app_in(tmp_path), {"SIFT_DATA_DIR": "/data"}, tier=TIER_BACKEND)
    assert spec.name == "web"
    assert list(spec.argv) == [
        "/usr/bin/node",
        str(NEXT_BIN),
        "start",
        "-H",
        "127.0.0.1",
        "-p",
        "3123",
    ]
    assert spec.cwd == tmp_path
    assert spec.env["NODE_ENV"] == "production"
    assert spec.env["SIFT_DATA_DIR"] == "/data"


def child_names(web: WebApp | None) -> list[str]:
    settings = CoreSettings(env=Environment.test)
    options = UpOptions(worker=False, scheduler=False, relay=False, consumers=False)
    specs = child_specs(
        settings,
        service_layouts(),
        options,
        env={},
        gateway=GatewaySettings(),
        gateway_paths=None,
        web=web,
    )
    return [spec.name for spec in specs]


def test_child_specs_include_the_web_app_when_prepared(tmp_path: Path) -> None:
    assert "web" in child_names(app_in(tmp_path))
    assert "web" not in child_names(None)


def test_the_gateway_routes_to_the_web_app_sift_up_runs(tmp_path: Path) -> None:
    gateway = with_web_upstream(GatewaySettings(), app_in(tmp_path, port=3456))
    assert gateway.web_upstream == "127.0.0.1:3456"
    assert with_web_upstream(GatewaySettings(), None).web_upstream is None


def test_a_configured_web_upstream_wins(tmp_path: Path) -> None:
    gateway = with_web_upstream(GatewaySettings(web_upstream="web:3000"), app_in(tmp_path))
    assert gateway.web_upstream == "web:3000"


def test_rendered_config_sends_slash_to_the_web_and_keeps_api_paths(tmp_path: Path) -> None:
    core = CoreSettings(env=Environment.test, data_dir=tmp_path / "data")
    paths = GatewayPaths.under(core.data_dir)
    tls = ensure_self_signed_certificate(paths.tls_dir, hostnames=["localhost"])
    gateway = with_web_upstream(GatewaySettings(), app_in(tmp_path, port=3456))
    config = render_gateway_config(core, gateway, service_layouts(), paths=paths, tls=tls)
    assert "upstream sift_web {" in config
    assert "server 127.0.0.1:3456 max_fails=3 fail_timeout=10s;" in config
    assert "location / {\n            proxy_pass http://sift_web;" in config
    assert "location /_next/static/ {" in config
    assert "location /api/ {\n            return 404;" in config
    assert "proxy_pass http://sift_identity;" in config
