"""What the runtime needs to know of each service: its port, replicas and public paths, and
its modules of a kind (`tasks`, `consumers`, `jobs`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, cast

from sift import SERVICES
from sift.core.config import OverloadSettings

# nginx drops an idle upstream connection after GATEWAY_KEEPALIVE_SECONDS; a service keeps
# one open longer, so nginx never sends a request on a connection the service is closing
# (it would not retry a POST there: the caller would get a 502).
GATEWAY_KEEPALIVE_SECONDS = 60
SERVICE_KEEPALIVE_SECONDS = 75


class ServiceSettings(Protocol):
    """The part of a service's settings (`sift.<service>.config`) the runtime reads."""

    @property
    def port(self) -> int: ...

    @property
    def replicas(self) -> int: ...

    @property
    def route_prefixes(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class ServiceLayout:
    """A service as the runtime runs it: replicas on consecutive ports from `port`."""

    name: str
    port: int
    replicas: int
    route_prefixes: tuple[str, ...]

    @property
    def ports(self) -> list[int]:
        return [self.port + index for index in range(self.replicas)]

    @property
    def factory(self) -> str:
        return f"sift.{self.name}.app:create_app"

    @classmethod
    def of(cls, name: str, settings: ServiceSettings) -> ServiceLayout:
        if settings.replicas < 1:
            raise ValueError(f"{name}: replicas must be at least 1")
        return cls(name, settings.port, settings.replicas, tuple(settings.route_prefixes))


def uvicorn_options(overload: OverloadSettings | None = None) -> dict[str, Any]:
    """How `sift serve` runs a service under uvicorn, beside host, port and reload."""
    overload = overload or OverloadSettings()
    return {
        # Past it uvicorn answers 503 itself (the gateway adds Retry-After): the backstop
        # behind the app's own request limit (`sift.core.overload`).
        "limit_concurrency": overload.uvicorn_limit_concurrency,
        "proxy_headers": True,
        "timeout_keep_alive": SERVICE_KEEPALIVE_SECONDS,
        "timeout_graceful_shutdown": 10,
        "server_header": False,
        "log_config": None,  # the service's structlog setup owns the root logger
        "access_log": False,  # the gateway writes the access log
    }


def check_service(name: str) -> str:
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; one of: {', '.join(SERVICES)}")
    return name


def service_settings(name: str) -> ServiceSettings:
    """The service's settings, read from the environment now (not the cached instance)."""
    module = importlib.import_module(f"sift.{check_service(name)}.config")
    factory = getattr(module, f"get_{name}_settings")
    # Bypass lru_cache: the runtime wants what the environment says at this moment.
    build = getattr(factory, "__wrapped__", factory)
    return cast(ServiceSettings, build())


def service_layouts(
    overrides: Mapping[str, ServiceSettings] | None = None,
) -> dict[str, ServiceLayout]:
    overrides = overrides or {}
    return {
        name: ServiceLayout.of(name, overrides.get(name) or service_settings(name))
        for name in SERVICES
    }


def service_modules(service: str, leaf: str) -> list[ModuleType]:
    """Imports the service's modules named `leaf` (`tasks`, `consumers`) in any domain."""
    package = importlib.import_module(f"sift.{service}")
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"sift.{service}.")
        if info.name.rsplit(".", 1)[-1] == leaf
    ]
