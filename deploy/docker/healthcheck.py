"""The backend image's HEALTHCHECK: probes whatever `sift` command the container runs.

PID 1 is tini; its command line says what runs (`tini -- sift serve identity ...`):
- a service: GET http://127.0.0.1:<port>/api/<service>/healthz (port from --port, then
  SIFT_<SERVICE>_PORT, then the service's default);
- the gateway: GET https://127.0.0.1:<https port>/gateway/healthz (its own certificate);
- a worker: a Celery ping to this worker through the broker;
- scheduler, relay, consumers: the Redis they depend on answers PING.
Exit status 0 is healthy, 1 is not (Docker's convention).
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
import urllib.request


def command_line() -> list[str]:
    with open("/proc/1/cmdline", "rb") as handle:
        parts = [part.decode() for part in handle.read().split(b"\0") if part]
    return parts[parts.index("sift") + 1 :] if "sift" in parts else parts


def option(args: list[str], *names: str) -> str | None:
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def get(url: str) -> bool:
    # The gateway's own certificate, self-signed unless the operator gave one; this probes
    # liveness on 127.0.0.1, where nothing is there to impersonate it.
    context = ssl._create_unverified_context()  # noqa: S323
    with urllib.request.urlopen(url, timeout=5, context=context) as response:  # noqa: S310
        return bool(response.status == 200)


def service_port(service: str, args: list[str]) -> int:
    explicit = option(args, "--port") or os.environ.get(f"SIFT_{service.upper()}_PORT")
    if explicit:
        return int(explicit)
    from sift.runtime.services import service_settings

    return service_settings(service).port


def check(args: list[str]) -> bool:
    command = args[0] if args else ""
    if command == "serve":
        service = args[1]
        return get(f"http://127.0.0.1:{service_port(service, args)}/api/{service}/healthz")
    if command == "gateway":
        port = os.environ.get("SIFT_GATEWAY_HTTPS_PORT", "8443")
        return get(f"https://127.0.0.1:{port}/gateway/healthz")
    from sift.core.config import CoreSettings

    settings = CoreSettings()
    if command == "worker":
        from sift.core.tasks import configure_celery

        name = (option(args, "--hostname", "-n") or "celery@%h").replace("%h", socket.gethostname())
        replies = configure_celery(settings).control.ping(destination=[name], timeout=5)
        return bool(replies)
    import redis

    return bool(redis.Redis.from_url(settings.redis_url, socket_timeout=5).ping())


if __name__ == "__main__":
    try:
        healthy = check(command_line())
    except Exception as exc:  # any failure to probe is "unhealthy", with the reason
        print(f"unhealthy: {exc}", file=sys.stderr)
        sys.exit(1)
    print("healthy" if healthy else "unhealthy")
    sys.exit(0 if healthy else 1)
