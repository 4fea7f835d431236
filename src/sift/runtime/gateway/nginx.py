"""Running the gateway: certificate, runtime directories and config in place, then nginx."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from urllib.parse import urlsplit

import structlog

from sift.core.config import CoreSettings
from sift.runtime.apidocs import write_api_docs
from sift.runtime.gateway.render import render_gateway_config
from sift.runtime.gateway.settings import (
    GatewayError,
    GatewayPaths,
    GatewaySettings,
    operator_tls,
)
from sift.runtime.services import ServiceLayout
from sift.runtime.tls import TlsFiles, ensure_self_signed_certificate

log = structlog.get_logger()


def gateway_tls(settings: CoreSettings, gateway: GatewaySettings, paths: GatewayPaths) -> TlsFiles:
    configured = operator_tls(gateway)
    if configured is not None:
        return configured
    host = urlsplit(settings.public_url).hostname
    hostnames = [host] if host and not _is_ip(host) else []
    ips = [host] if host and _is_ip(host) else []
    return ensure_self_signed_certificate(paths.tls_dir, hostnames=hostnames, ips=ips)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def prepare_gateway(
    settings: CoreSettings,
    gateway: GatewaySettings,
    layouts: Mapping[str, ServiceLayout],
) -> GatewayPaths:
    """Certificate (created once), runtime directories and the rendered config."""
    paths = GatewayPaths.under(settings.data_dir)
    paths.create()
    tls = gateway_tls(settings, gateway, paths)
    if gateway.api_docs:
        write_api_docs(settings, paths.api_docs)
    config = render_gateway_config(
        settings,
        gateway,
        layouts,
        paths=paths,
        tls=tls,
        run_user=gateway.run_user or ("root" if os.geteuid() == 0 else None),
        nginx=nginx_version(gateway.nginx_binary),
    )
    tmp = paths.config.with_name(paths.config.name + ".tmp")
    tmp.write_text(config)
    tmp.replace(paths.config)
    log.info("gateway.config_written", path=str(paths.config))
    return paths


def nginx_version(binary: str = "nginx") -> tuple[int, int, int] | None:
    path = shutil.which(binary)
    if path is None:
        return None
    result = subprocess.run([path, "-v"], capture_output=True, text=True, check=False)
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", result.stderr + result.stdout)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def nginx_binary(gateway: GatewaySettings) -> str:
    path = shutil.which(gateway.nginx_binary)
    if path is None:
        raise GatewayError(
            f"{gateway.nginx_binary!r} not found: install nginx (apt-get install nginx) "
            "or run without the gateway (--no-gateway)"
        )
    return path


def nginx_command(gateway: GatewaySettings, paths: GatewayPaths) -> list[str]:
    """nginx in the foreground, error log on stderr, everything else under `paths`."""
    return [
        nginx_binary(gateway),
        "-p",
        f"{paths.root}/",
        "-e",
        "stderr",
        "-c",
        str(paths.config),
        "-g",
        "daemon off;",
    ]


def check_config(gateway: GatewaySettings, paths: GatewayPaths) -> str:
    """`nginx -t` on the rendered config; raises with nginx's own words when it fails."""
    command = [*nginx_command(gateway, paths)[:-2], "-t", "-q"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise GatewayError(f"nginx -t failed: {result.stderr.strip()}")
    return result.stderr
