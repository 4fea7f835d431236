"""The documentation names only what exists: permissions, settings, routes, files, modules."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import BaseSettings

import sift
from sift import SERVICES
from sift.core.auth import Authorize
from sift.core.auth.permissions import ROLE_PERMISSIONS, USER_ONLY_PERMISSIONS, Permission, Role
from sift.core.auth.testing import route_declarations
from sift.core.config import CoreSettings, Environment

ROOT = Path(__file__).resolve().parent.parent
# The documents a reader of the repository is sent to, and the folder their paths start from.
DOCUMENTS: dict[str, Path] = {
    "README.md": ROOT,
    "SECURITY.md": ROOT,
    "CONTRIBUTING.md": ROOT,
    ".github/pull_request_template.md": ROOT,
    ".env.example": ROOT,
    "web/README.md": ROOT / "web",
    **{str(page.relative_to(ROOT)): ROOT for page in sorted((ROOT / "docs").rglob("*.md"))},
}
PATH_PREFIXES = (
    "src/",
    "tests/",
    "docs/",
    "bench/",
    "scripts/",
    "deploy/",
    "web/",
    ".ci/",
    ".github/",
)
WEB_PATH_PREFIXES = ("src/", "e2e/", "scripts/")
ROOT_FILES = {"README.md", "SECURITY.md", "CONTRIBUTING.md", "Makefile", ".env.example"}
ROOT_FILES |= {"pyproject.toml", "requirements.lock", ".pre-commit-config.yaml"}
# Environment variables read by the web app (its code, scripts, tests) or by the test suite.
NON_SETTINGS_SOURCES = (
    "web/src",
    "web/e2e",
    "web/scripts",
    "web/playwright.config.ts",
    "tests/conftest.py",
    "tests/security",
    # The image builds', the container test's and Compose's own variables.
    "scripts",
    "deploy/compose",
    "deploy/logging",  # Filebeat's
)


def text_of(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def code_spans(text: str) -> Iterator[str]:
    """Inline code, also when it wraps onto the next line (code blocks left out)."""
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    for span in re.findall(r"`([^`]+)`", prose):
        yield " ".join(span.split())


@cache
def apps() -> dict[str, FastAPI]:
    settings = CoreSettings(env=Environment.test, log_json=False)
    return {
        service: importlib.import_module(f"sift.{service}.app").create_app(settings)
        for service in SERVICES
    }


@cache
def routes() -> dict[str, set[Permission]]:
    """Every route ("METHOD /path" with parameters as `{}`) and the permissions it declares."""
    found: dict[str, set[Permission]] = {}
    for app in apps().values():
        for route, declared in route_declarations(app).items():
            key = re.sub(r"\{[^}]*\}", "{}", route)
            found[key] = {d.permission for d in declared if isinstance(d, Authorize)}
    return found


# --- docs/security.md: the permission table ---

PLANNED = "no endpoint yet"


def permission_table() -> dict[Permission, tuple[frozenset[Role], str]]:
    """Each permission of the table: the roles ticked, and the note after its name."""
    section = text_of("docs/security.md").split("## Permission table", 1)[1].split("\n## ", 1)[0]
    header, *rows = [line for line in section.splitlines() if line.startswith("| ")]
    roles = [Role(cell.strip()) for cell in header.strip("|").split("|")[1:]]
    table: dict[Permission, tuple[frozenset[Role], str]] = {}
    for row in rows:
        first, *ticks = row.strip("|").split("|")
        held = frozenset(role for role, tick in zip(roles, ticks, strict=True) if tick.strip())
        for name, note in re.findall(r"`([a-z_]+:[a-z_]+)`(?:\s*\(([^)]*)\))?", first):
            assert Permission(name) not in table, f"{name} is listed twice"
            table[Permission(name)] = (held, note)
    return table


def test_the_permission_table_is_the_code() -> None:
    table = permission_table()
    assert set(table) == set(Permission)
    for permission, (held, _) in table.items():
        expected = {role for role, granted in ROLE_PERMISSIONS.items() if permission in granted}
        assert held == expected, f"{permission.value}: the table says {sorted(held)}"


def test_the_table_marks_exactly_the_permissions_no_endpoint_declares() -> None:
    declared = set().union(*routes().values())
    marked = {p for p, (_, note) in permission_table().items() if PLANNED in note}
    assert marked == set(Permission) - declared


def test_user_only_permissions_are_listed_as_in_the_code() -> None:
    security = text_of("docs/security.md")
    listed = re.search(r"`USER_ONLY_PERMISSIONS` \(([^)]*)\)", security)
    assert listed is not None
    names = re.findall(r"`([a-z_]+:[a-z_]+)`", listed.group(1))
    assert {Permission(name) for name in names} == USER_ONLY_PERMISSIONS


# --- every document: routes, settings, files and modules it names ---


def test_routes_named_in_the_docs_exist() -> None:
    named = {
        (name, f"{method} {re.sub(r'{[^}]*}', '{}', path.split('?')[0])}")
        for name in DOCUMENTS
        for method, path in re.findall(r"\b(GET|POST|PUT|PATCH|DELETE) (/[^\s`)?]*)", text_of(name))
    }
    assert named, "the pattern finds nothing: the test would pass on anything"
    missing = sorted(f"{name}: {route}" for name, route in named if route not in routes())
    assert not missing


@cache
def settings_variables() -> frozenset[str]:
    """The environment variable of every field of every settings class in `sift`."""
    for module in pkgutil.walk_packages(sift.__path__, "sift."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    names: set[str] = set()
    pending: list[type[BaseSettings]] = [BaseSettings]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("sift."):
            continue
        prefix = cls.model_config.get("env_prefix", "")
        for field, info in cls.model_fields.items():
            names.add(f"{prefix}{info.alias or field}".upper())
            aliases = getattr(info.validation_alias, "choices", None) or []
            names.update(alias.upper() for alias in aliases if isinstance(alias, str))
    return frozenset(names)


def read_outside_settings(variable: str) -> bool:
    for source in NON_SETTINGS_SOURCES:
        path = ROOT / source
        files = [path] if path.is_file() else path.rglob("*.*")
        for file in files:
            if file.suffix in {".ts", ".tsx", ".mjs", ".py", ".sh", ".yaml", ".yml"} and (
                variable in file.read_text()
            ):
                return True
    return False


def test_settings_named_in_the_docs_exist() -> None:
    known = settings_variables()
    unknown = []
    for name in DOCUMENTS:
        for variable in set(re.findall(r"\bSIFT_[A-Z0-9_*]*[A-Z0-9*]", text_of(name))):
            if "*" in variable:
                pattern = re.compile(variable.replace("*", "[A-Z0-9_]*"))
                found = any(pattern.fullmatch(candidate) for candidate in known)
            else:
                found = variable.split("__")[0] in known or read_outside_settings(variable)
            if not found:
                unknown.append(f"{name}: {variable}")
    assert "SIFT_SECRET_KEY" in known and "SIFT_IDENTITY_OAUTH" in known
    assert not sorted(unknown)


def repository_paths(name: str) -> Iterator[str]:
    prefixes = WEB_PATH_PREFIXES if DOCUMENTS[name] != ROOT else PATH_PREFIXES
    for span in code_spans(text_of(name)):
        path = span.split("::")[0].rstrip(".,:;")
        if " " in path or any(mark in path for mark in "<{*"):
            continue  # a command, a pattern or a placeholder, not one file
        if path.startswith(prefixes) or path in ROOT_FILES:
            yield path


@cache
def tracked_paths() -> frozenset[str]:
    """Files in git and every folder holding one: a clean clone has these and nothing else."""
    listing = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    folders = {str(parent) for file in listing for parent in Path(file).parents}
    return frozenset(listing) | folders


def is_ignored(path: Path) -> bool:
    """Build output (`web/node_modules`, `.venv`): named in the docs, absent from a clone."""
    # Asked as a file and as a folder: a folder pattern (`node_modules/`) matches only the
    # second while the folder is absent.
    return any(
        subprocess.run(["git", "check-ignore", "-q", asked], cwd=ROOT, check=False).returncode == 0
        for asked in (str(path), f"{path}/")
    )


def test_files_named_in_the_docs_exist() -> None:
    named = [(name, path) for name in DOCUMENTS for path in repository_paths(name)]
    assert len(named) > 20, "the pattern finds almost nothing: the test would pass on anything"
    missing = []
    for name, path in named:
        full = (DOCUMENTS[name] / path).resolve()
        relative = str(full.relative_to(ROOT))
        if relative not in tracked_paths() and not is_ignored(full):
            missing.append(f"{name}: {path}")
    assert not missing


def resolves(dotted: str) -> bool:
    """`sift.a.b.name`: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 1, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_modules_named_in_the_docs_exist() -> None:
    named = {
        (name, match)
        for name in DOCUMENTS
        for span in code_spans(text_of(name))
        for match in re.findall(r"^sift(?:\.[A-Za-z_]+)+", span)
    }
    assert named
    missing = sorted(f"{name}: {dotted}" for name, dotted in named if not resolves(dotted))
    assert not missing


def test_the_readme_layout_names_existing_folders() -> None:
    readme = text_of("README.md")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    paths = [line.split()[0] for line in block.splitlines() if line and not line[0].isspace()]
    assert len(paths) > 5
    for path in paths:
        folders = [path.replace("<service>", service) for service in SERVICES]
        for folder in folders if "<service>" in path else [path]:
            assert (ROOT / folder).exists(), folder


def test_every_pre_commit_hook_has_files_to_check() -> None:
    """A hook limited to some files (a Dockerfile, ...) must have such a file to check."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    config = text_of(".pre-commit-config.yaml")
    patterns = re.findall(r"^\s+files: (\S+)$", config, flags=re.MULTILINE)
    assert patterns
    for pattern in patterns:
        assert any(re.search(pattern, path) for path in tracked), pattern


def test_the_readme_calls_planned_exactly_the_services_without_endpoints() -> None:
    readme = text_of("README.md")
    assert "Planned, not built yet:" in readme
    planned = readme.split("Planned, not built yet:", 1)[1].split("\n\n", 1)[0]
    for service, app in apps().items():
        health = {f"GET /api/{service}/healthz", f"GET /api/{service}/readyz"}
        built = bool(set(route_declarations(app)) - health)
        assert (service in planned) != built, service
