"""The Nginx gateway: render `deploy/nginx/sift.conf.j2` and run nginx in the foreground.

One template serves local, Compose and Kubernetes; only the values differ. Locally the
upstreams are the replicas on 127.0.0.1 and consecutive ports; in Compose or Kubernetes
`SIFT_GATEWAY_UPSTREAM_HOST_TEMPLATE` (e.g. `{service}` or `sift-{service}`) names one
host per service, which the orchestrator balances.
"""

from sift.runtime.gateway.nginx import (
    check_config,
    gateway_tls,
    nginx_binary,
    nginx_command,
    nginx_version,
    prepare_gateway,
)
from sift.runtime.gateway.render import (
    PROBLEMS,
    GatewayProblem,
    Route,
    Upstream,
    build_routes,
    http2_style,
    render_gateway_config,
    template_path,
)
from sift.runtime.gateway.settings import (
    RATE_LIMITED_PATHS,
    GatewayError,
    GatewayPaths,
    GatewaySettings,
    get_gateway_settings,
    hsts_max_age,
    operator_tls,
    public_origin,
    public_url,
)

__all__ = [
    "PROBLEMS",
    "RATE_LIMITED_PATHS",
    "GatewayError",
    "GatewayPaths",
    "GatewayProblem",
    "GatewaySettings",
    "Route",
    "Upstream",
    "build_routes",
    "check_config",
    "gateway_tls",
    "get_gateway_settings",
    "hsts_max_age",
    "http2_style",
    "nginx_binary",
    "nginx_command",
    "nginx_version",
    "operator_tls",
    "prepare_gateway",
    "public_origin",
    "public_url",
    "render_gateway_config",
    "template_path",
]
