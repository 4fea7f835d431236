"""Shared by the gateway tests: service layouts on chosen ports, the config as rendered."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sift.core.config import CoreSettings
from sift.runtime.gateway import GatewayPaths, GatewaySettings, render_gateway_config
from sift.runtime.services import ServiceLayout, service_layouts
from sift.runtime.tls import ensure_self_signed_certificate


@dataclass
class FakeServiceSettings:
    port: int
    replicas: int
    route_prefixes: tuple[str, ...]


def layouts_on(base_port: int, *, identity_replicas: int = 1) -> dict[str, ServiceLayout]:
    defaults = service_layouts()
    layouts = {}
    for index, (name, layout) in enumerate(defaults.items()):
        replicas = identity_replicas if name == "identity" else 1
        settings = FakeServiceSettings(base_port + 10 * index, replicas, layout.route_prefixes)
        layouts[name] = ServiceLayout.of(name, settings)
    return layouts


def render(core: CoreSettings, gateway: GatewaySettings, **layout_args: int) -> str:
    paths = GatewayPaths.under(core.data_dir)
    tls = ensure_self_signed_certificate(paths.tls_dir)
    return render_gateway_config(
        core, gateway, layouts_on(9100, **layout_args), paths=paths, tls=tls
    )


def location_block(config: str, location: str) -> str:
    match = re.search(rf"location {re.escape(location)} \{{(.*?)\n        \}}", config, re.S)
    assert match, f"no location {location!r}"
    return match.group(1)
