"""Benchmark of what the revocation check adds to every authenticated request.

    .venv/bin/python bench/auth/run.py --out bench/auth/REPORT.md

Times `Authorize("documents:read")` as an endpoint's dependency runs it, in process: the
signature check (Ed25519, key already cached, as after the first JWKS fetch), the claims,
the revocation check against the real Redis (`SIFT_REDIS_URL`, default the local one) and
the permission. The same calls with the check replaced by a no-op give the baseline, so
the difference is the check alone. Runs alternate between the two in blocks, so that load
from other processes falls on both alike. Markers of other sessions are written first,
so the check reads from a list that is not empty.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.security import HTTPAuthorizationCredentials
from starlette.requests import Request

from sift.core.auth import Authenticator, Authorize, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.auth.revocation import Revocations
from sift.core.auth.tokens import AccessClaims
from sift.core.config import CoreSettings
from sift.core.redis import create_redis

MARKER = "<!-- results -->"


class CachedKey:
    """The JWKS key source once it holds identity's key (every request after the first)."""

    def __init__(self, kid: str, key: jwt.PyJWK) -> None:
        self.kid, self.key = kid, key

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return self.key if kid == self.kid else None


class NoCheck(Revocations):
    """The baseline: everything but the revocation check."""

    async def check(self, claims: AccessClaims) -> None:
        return None


def signed_token(private: Ed25519PrivateKey, kid: str, issuer: str, **claims: object) -> str:
    now = int(time.time())
    payload: dict[str, object] = {
        "sub": str(uuid.uuid4()),
        "org": str(uuid.uuid4()),
        "role": "editor",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "iss": issuer,
        "aud": "sift",
        **claims,
    }
    return jwt.encode(payload, private, algorithm="EdDSA", headers={"kid": kid})


def request_for(app: FastAPI) -> Request:
    return Request({"type": "http", "app": app, "headers": [], "method": "GET", "path": "/"})


Call = Callable[[], Awaitable[object]]


async def timed(call: Call, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1e6)
    return samples


async def rate_of(call: Call, count: int, workers: int) -> float:
    """Calls per second of `workers` coroutines calling at once on one event loop."""

    async def worker() -> None:
        for _ in range(count // workers):
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return (count // workers) * workers / (time.perf_counter() - started)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def row(name: str, samples: list[float]) -> str:
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.0f} | "
        f"{percentile(samples, 0.95):.0f} | {percentile(samples, 0.99):.0f} | "
        f"{statistics.fmean(samples):.0f} |"
    )


def processor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


async def run(count: int, blocks: int, workers: int, markers: int) -> list[str]:
    settings = CoreSettings(redis_prefix=f"sift-bench:auth:{uuid.uuid4().hex[:8]}:")
    redis = create_redis(settings)
    app = FastAPI()
    app.state.settings, app.state.redis = settings, redis
    config = AuthSettings()
    private, kid = Ed25519PrivateKey.generate(), uuid.uuid4().hex[:16]
    public = jwt.PyJWK(
        {**jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key(), as_dict=True), "kid": kid},
        "EdDSA",
    )
    issuer = config.issuer_for(settings)
    verifier = TokenVerifier(CachedKey(kid, public), issuer=issuer, config=config)
    Authenticator.install(app, Authenticator(verifier))
    checked = Revocations(redis, settings, config)
    baseline = NoCheck(redis, settings, config)
    try:
        for _ in range(0, markers, 1000):
            await checked.revoke_sessions([uuid.uuid4() for _ in range(1000)])
        authorize = Authorize("documents:read")
        request = request_for(app)
        user = HTTPAuthorizationCredentials(
            scheme="Bearer", credentials=signed_token(private, kid, issuer, sid=str(uuid.uuid4()))
        )
        key = HTTPAuthorizationCredentials(
            scheme="Bearer",
            credentials=signed_token(
                private,
                kid,
                issuer,
                kind="api_key",
                akid=str(uuid.uuid4()),
                perms=["documents:read"],
            ),
        )
        results: dict[str, list[float]] = {}

        def call(credentials: HTTPAuthorizationCredentials) -> Call:
            return lambda: authorize(request, credentials)

        for name, credentials in (("user token", user), ("API key token", key)):
            for _ in range(blocks):
                for variant, revocations in (("without check", baseline), ("with check", checked)):
                    app.state.revocations = revocations
                    await timed(call(credentials), 200)  # warm up this variant
                    samples = await timed(call(credentials), count // blocks)
                    results.setdefault(f"{name}, {variant}", []).extend(samples)
        rates: dict[str, float] = {}
        for variant, revocations in (("without check", baseline), ("with check", checked)):
            app.state.revocations = revocations
            rates[variant] = await rate_of(call(user), count, workers)
        server = await redis.info("server")
        lines = [row(name, samples) for name, samples in results.items()]
        throughput = [
            f"| user token, {variant} | {rate:,.0f} | {1e6 / rate:.0f} |"
            for variant, rate in rates.items()
        ]
        added = [
            statistics.median(results[f"{name}, with check"])
            - statistics.median(results[f"{name}, without check"])
            for name in ("user token", "API key token")
        ]
        return [
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {count} calls per row "
            f"({blocks} alternating blocks), {markers} other sessions' markers in the list.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores ({processor()}), "
            f"Linux {platform.release()}, Python {platform.python_version()}, "
            f"Redis {server.get('redis_version')} on {settings.redis_url} (TCP, same host). "
            f"Load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}.",
            "",
            "One call at a time, microseconds per `Authorize` call:",
            "",
            "| run | calls | median | p95 | p99 | mean |",
            "|---|---|---|---|---|---|",
            *lines,
            "",
            f"{workers} coroutines at once on one event loop ({count} calls): what the check"
            " costs a busy process is event-loop time, not waiting.",
            "",
            "| run | calls/s | µs of event loop per call |",
            "|---|---|---|",
            *throughput,
            "",
            f"Added by the check (difference of medians): user token {added[0]:.0f} µs, "
            f"API key token {added[1]:.0f} µs.",
        ]
    finally:
        keys = [k async for k in redis.scan_iter(match=settings.redis_prefix + "*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


def write(out: Path, lines: list[str]) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else f"# Auth benchmark\n\n{MARKER}\n"
    head = text.split(MARKER)[0]
    out.write_text(head + MARKER + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="calls per row")
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--workers", type=int, default=32, help="coroutines in the concurrent rows")
    parser.add_argument("--markers", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("REPORT.md"))
    args = parser.parse_args()
    lines = asyncio.run(run(args.count, args.blocks, args.workers, args.markers))
    write(args.out, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
