"""The nginx gateway's config: what the template renders, and `nginx -t` on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sift.core.config import CoreSettings, Environment
from sift.runtime.gateway import (
    PROBLEMS,
    GatewayError,
    GatewayPaths,
    GatewaySettings,
    build_routes,
    check_config,
    prepare_gateway,
    public_url,
    render_gateway_config,
)
from sift.runtime.services import ServiceLayout
from sift.runtime.tls import ensure_self_signed_certificate
from tests.runtime.gateway_helpers import layouts_on, location_block, render


def test_every_service_has_an_upstream_with_one_server_per_replica(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(), identity_replicas=3)
    identity = re.search(r"upstream sift_identity \{(.*?)\}", config, re.S)
    assert identity is not None
    servers = re.findall(r"server (\S+) max_fails", identity.group(1))
    assert servers == ["127.0.0.1:9100", "127.0.0.1:9101", "127.0.0.1:9102"]
    assert "keepalive 32;" in identity.group(1)
    for name in ("documents", "search", "assistant", "notifications", "audit"):
        assert f"upstream sift_{name} {{" in config


def test_routes_by_prefix_exact_and_below_never_a_lookalike(core: CoreSettings) -> None:
    config = render(core, GatewaySettings())
    assert "proxy_pass http://sift_search;" in location_block(config, "= /api/search")
    assert "sift_search" in location_block(config, "/api/search/")
    assert "sift_search" in location_block(config, "/api/saved-searches/")
    assert "sift_identity" in location_block(config, "= /.well-known/jwks.json")
    assert "sift_audit" in location_block(config, "/api/privacy/")
    # `/api/searchx` matches no service prefix: it falls to the gateway's /api/ 404.
    assert "location /api/search {" not in config
    assert "return 404;" in location_block(config, "/api/")


def test_auth_paths_are_rate_limited_and_answer_429(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(auth_rate="5r/s", auth_burst=7))
    assert "limit_req_zone $binary_remote_addr zone=sift_auth:10m rate=5r/s;" in config
    assert "limit_req_status 429;" in config
    for path in ("login", "signup", "refresh", "password", "mfa"):
        for location in (f"= /api/auth/{path}", f"/api/auth/{path}/"):
            block = location_block(config, location)
            assert "limit_req zone=sift_auth burst=7 nodelay;" in block
            assert "proxy_pass http://sift_identity;" in block
    assert "limit_req" not in location_block(config, "/api/auth/")


def test_uploads_get_a_bigger_body_limit(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(max_body_bytes=1000, upload_max_bytes=5000))
    assert "client_max_body_size 1000;" in config
    documents = location_block(config, "= /api/documents")
    assert "client_max_body_size 5000;" in documents
    assert "proxy_request_buffering off;" in documents
    assert "client_max_body_size" not in location_block(config, "/api/search/")


def test_streamed_answers_are_not_buffered(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(stream_read_timeout_seconds=900))
    for location in ("= /api/assistant", "/api/assistant/"):
        block = location_block(config, location)
        assert "proxy_buffering off;" in block
        assert "proxy_read_timeout 900s;" in block
    assert "proxy_buffering off;" not in location_block(config, "/api/search/")


def test_gateway_problems_are_rfc9457_json(core: CoreSettings) -> None:
    config = render(core, GatewaySettings())
    for problem in PROBLEMS:
        assert f"error_page {problem.status} @sift_{problem.status};" in config
        block = location_block(config, f"@sift_{problem.status}")
        assert "default_type application/problem+json;" in block
        body = re.search(rf"return {problem.status} '(.*)';", block)
        assert body is not None
        parsed = json.loads(body.group(1))
        assert parsed["status"] == problem.status
        assert set(parsed) == {"type", "title", "status", "detail", "request_id"}
        assert parsed["request_id"] == "$sift_request_id"
    assert "Retry-After" in location_block(config, "@sift_429")


def test_headers_request_id_and_tls(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(hsts_max_age=123))
    assert 'add_header Strict-Transport-Security "max-age=123; includeSubDomains" always;' in config
    assert "add_header X-Request-ID $sift_request_id always;" in config
    assert "proxy_set_header X-Request-ID $sift_request_id;" in config
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in config
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in config
    assert "return 301 https://localhost:8443$request_uri;" in config
    assert "gzip_types application/json application/problem+json" in config


def test_production_hsts_is_one_year(tmp_path: Path) -> None:
    production = CoreSettings(
        env=Environment.production,
        data_dir=tmp_path,
        secret_key="x" * 40,
        database_url="postgresql://db/sift",
    )
    assert "max-age=31536000; includeSubDomains" in render(production, GatewaySettings())
    assert "max-age=86400; includeSubDomains" in render(
        production.model_copy(update={"env": Environment.development}), GatewaySettings()
    )


def test_public_url_follows_the_gateway_port() -> None:
    assert public_url(CoreSettings(), GatewaySettings(https_port=9443)) == "https://localhost:9443"
    assert public_url(CoreSettings(), GatewaySettings(public_https_port=443)) == "https://localhost"
    explicit = CoreSettings(public_url="https://sift.example")
    assert public_url(explicit, GatewaySettings()) == "https://sift.example"


@pytest.mark.parametrize(
    ("configured", "gateway", "origin"),
    [
        (None, GatewaySettings(https_port=9443), "https://localhost:9443"),
        (None, GatewaySettings(public_https_port=443), "https://localhost"),
        ("https://sift.example/app/", GatewaySettings(), "https://sift.example"),
        ("https://sift.example:443", GatewaySettings(), "https://sift.example"),
        ("https://[::1]:9443", GatewaySettings(), "https://[::1]:9443"),
    ],
)
def test_redirects_name_the_public_origin(
    tmp_path: Path, configured: str | None, gateway: GatewaySettings, origin: str
) -> None:
    explicit = {"public_url": configured} if configured else {}
    core = CoreSettings(env=Environment.test, data_dir=tmp_path, **explicit)
    config = render(core, gateway)
    assert f"return 301 {origin}$request_uri;" in location_block(config, "/")
    assert f"error_page 497 =301 {origin}$request_uri;" in config


@pytest.mark.parametrize("configured", ["http://sift.example", "sift.example", "https://"])
def test_a_public_url_the_gateway_cannot_redirect_to_is_refused(
    tmp_path: Path, configured: str
) -> None:
    core = CoreSettings(env=Environment.test, data_dir=tmp_path, public_url=configured)
    with pytest.raises(GatewayError, match="SIFT_PUBLIC_URL"):
        render(core, GatewaySettings())


def test_compose_and_kubernetes_name_one_host_per_service(core: CoreSettings) -> None:
    gateway = GatewaySettings(
        upstream_host_template="sift-{service}",
        listen_address="0.0.0.0",
        public_https_port=443,
        web_upstream="web:3000",
    )
    config = render(core, gateway, identity_replicas=4)
    assert "server sift-identity:9100 max_fails" in config
    assert "9101" not in config
    assert "listen 0.0.0.0:8443 ssl" in config
    assert "return 301 https://localhost$request_uri;" in config
    assert "location / {\n            proxy_pass http://sift_web;" in config
    assert "$sift_static_cache_control" in location_block(config, "/_next/static/")


def test_http2_follows_the_nginx_version(core: CoreSettings) -> None:
    paths = GatewayPaths.under(core.data_dir)
    tls = ensure_self_signed_certificate(paths.tls_dir)
    layouts = layouts_on(9100)
    old = render_gateway_config(
        core, GatewaySettings(), layouts, paths=paths, tls=tls, nginx=(1, 22, 1)
    )
    new = render_gateway_config(
        core, GatewaySettings(), layouts, paths=paths, tls=tls, nginx=(1, 27, 0)
    )
    assert "ssl http2;" in old and "http2 on;" not in old
    assert "http2 on;" in new and "ssl http2;" not in new


@pytest.mark.parametrize(
    "unsafe",
    [
        {"server_name": "evil; include /etc/passwd"},
        {"auth_rate": "1r/s; deny all"},
        {"upstream_host": "x}"},
    ],
)
def test_unsafe_values_never_reach_the_config(core: CoreSettings, unsafe: dict[str, str]) -> None:
    with pytest.raises(GatewayError, match="unsafe"):
        render(core, GatewaySettings.model_validate(unsafe))


def test_two_services_cannot_claim_one_prefix() -> None:
    clash = [
        ServiceLayout("identity", 1, 1, ("/api/x",)),
        ServiceLayout("audit", 2, 1, ("/api/x",)),
    ]
    with pytest.raises(GatewayError, match="claim"):
        build_routes(clash, GatewaySettings(rate_limited_paths=()), default_max_body=10)


def test_rendered_config_passes_nginx_t(core: CoreSettings) -> None:
    gateway = GatewaySettings(web_upstream="127.0.0.1:3999", trusted_proxies=["10.0.0.0/8"])
    paths = prepare_gateway(core, gateway, layouts_on(9100, identity_replicas=2))
    check_config(gateway, paths)
    assert paths.config.read_text().startswith("# Rendered from deploy/nginx/sift.conf.j2")


def test_nginx_t_reports_a_broken_config(core: CoreSettings) -> None:
    gateway = GatewaySettings(api_docs=False)
    paths = prepare_gateway(core, gateway, layouts_on(9100))
    paths.config.write_text(paths.config.read_text().replace("events {", "events {{"))
    with pytest.raises(GatewayError, match="nginx -t failed"):
        check_config(gateway, paths)


def test_worker_user_only_when_asked_or_root(core: CoreSettings) -> None:
    paths = GatewayPaths.under(core.data_dir)
    tls = ensure_self_signed_certificate(paths.tls_dir)
    layouts = layouts_on(9100)
    plain = render_gateway_config(core, GatewaySettings(), layouts, paths=paths, tls=tls)
    as_nginx = render_gateway_config(
        core, GatewaySettings(), layouts, paths=paths, tls=tls, run_user="nginx"
    )
    assert "\nuser " not in plain
    assert "\nuser nginx;\n" in as_nginx
