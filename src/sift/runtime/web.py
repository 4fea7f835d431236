"""The web app (`web/`, Next.js) under `sift up`: install, build when stale, run `next start`.

`sift up` builds before it starts anything, so the gateway's `/` never points at a
half-written `.next/`. Without node and npm the stack still runs, without its web app.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import structlog
from pydantic_settings import SettingsConfigDict

import sift
from sift.core.config import SiftSettings
from sift.runtime.supervisor import ProcessSpec

log = structlog.get_logger()

# What a production build depends on besides src/: newer than .next/BUILD_ID means stale.
BUILD_INPUTS = (
    "package.json",
    "package-lock.json",
    "next.config.ts",
    "tailwind.config.ts",
    "postcss.config.mjs",
    "tsconfig.json",
)
SOURCE_DIRS = ("src", "public")
NEXT_BIN = Path("node_modules") / "next" / "dist" / "bin" / "next"


class WebError(RuntimeError):
    pass


class WebSettings(SiftSettings):
    """Environment variables `SIFT_WEB_*`."""

    model_config = SettingsConfigDict(env_prefix="SIFT_WEB_")

    host: str = "127.0.0.1"
    port: int = 3000
    directory: Path | None = None  # web/ of the source tree if unset
    build: bool = True  # build when `.next/` is missing or older than the sources
    node_binary: str = "node"
    npm_binary: str = "npm"


@dataclass(frozen=True)
class WebApp:
    """A built web app, ready to be started."""

    directory: Path
    node: str
    host: str
    port: int

    @property
    def upstream(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def ready_url(self) -> str:
        return f"http://{self.upstream}/sign-in"


def web_directory(settings: WebSettings) -> Path:
    if settings.directory is not None:
        return settings.directory.resolve()
    # src/sift/__init__.py -> the source tree's web/.
    return Path(sift.__file__).resolve().parents[2] / "web"


def node_tools(settings: WebSettings) -> tuple[str, str] | None:
    node = shutil.which(settings.node_binary)
    npm = shutil.which(settings.npm_binary)
    return (node, npm) if node and npm else None


def _files(directory: Path, names: Iterable[str], dirs: Iterable[str]) -> Iterator[Path]:
    for name in names:
        if (directory / name).is_file():
            yield directory / name
    for sub in dirs:
        if (directory / sub).is_dir():
            yield from (path for path in (directory / sub).rglob("*") if path.is_file())


def build_is_stale(directory: Path) -> bool:
    """True when there is no production build or a source is newer than it."""
    build_id = directory / ".next" / "BUILD_ID"
    if not build_id.is_file():
        return True
    built_at = build_id.stat().st_mtime
    inputs = _files(directory, BUILD_INPUTS, SOURCE_DIRS)
    return any(path.stat().st_mtime > built_at for path in inputs)


@contextlib.contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    """Two stacks starting at once share one web/: one builds, the other waits."""
    with (directory / ".sift-build.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(
    argv: list[str], directory: Path, what: str, env: Mapping[str, str], output: Path | None
) -> None:
    log.info("web.running", step=what, command=" ".join(argv))
    with contextlib.ExitStack() as stack:
        sink = None
        if output is not None:  # npm's progress belongs in a log, not on `sift up`'s console
            output.parent.mkdir(parents=True, exist_ok=True)
            sink = stack.enter_context(output.open("ab"))
        result = subprocess.run(
            argv, cwd=directory, env=dict(env), check=False, stdout=sink, stderr=sink
        )
    if result.returncode != 0:
        where = f"; see {output}" if output is not None else ""
        raise WebError(
            f"`{' '.join(argv)}` failed in {directory} (exit {result.returncode}){where}"
        )


def needs_work(settings: WebSettings) -> str | None:
    """What `prepare_web` will do that takes a while: "install", "build" or nothing."""
    directory = web_directory(settings)
    if not (directory / "package.json").is_file() or node_tools(settings) is None:
        return None
    if not (directory / "node_modules").is_dir():
        return "install"
    if settings.build and build_is_stale(directory):
        return "build"
    return None


def build_env(base: Mapping[str, str]) -> dict[str, str]:
    return {
        **base,
        "NEXT_TELEMETRY_DISABLED": "1",
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    }


def prepare_web(
    settings: WebSettings, base_env: Mapping[str, str], *, output: Path | None = None
) -> WebApp | None:
    """`npm ci` when node_modules is missing, `npm run build` when stale; None without node.

    `output`: the file npm's output goes to (the console when None)."""
    directory = web_directory(settings)
    if not (directory / "package.json").is_file():
        log.warning("web.missing", directory=str(directory))
        return None
    tools = node_tools(settings)
    if tools is None:
        log.warning(
            "web.node_missing",
            hint="install Node.js 20+ and npm to serve the web app; the API runs without it",
        )
        return None
    node, npm = tools
    env = build_env(base_env)
    with _build_lock(directory):
        if not (directory / "node_modules").is_dir():
            _run([npm, "ci", "--no-audit", "--no-fund"], directory, "install", env, output)
        if settings.build and build_is_stale(directory):
            _run([npm, "run", "build"], directory, "build", env, output)
    if not (directory / ".next" / "BUILD_ID").is_file():
        raise WebError(f"no production build in {directory / '.next'}; run `npm run build`")
    return WebApp(directory=directory, node=node, host=settings.host, port=settings.port)


def web_spec(app: WebApp, env: Mapping[str, str], *, tier: int) -> ProcessSpec:
    """`next start` run by node itself (not npm), so the supervisor's signals reach it."""
    argv = [app.node, str(NEXT_BIN), "start", "-H", app.host, "-p", str(app.port)]
    child_env = {**env, "NODE_ENV": "production", "NEXT_TELEMETRY_DISABLED": "1"}
    return ProcessSpec(
        "web",
        argv,
        env=child_env,
        cwd=app.directory,
        tier=tier,
        port=app.port,
        health_url=app.ready_url,
    )
