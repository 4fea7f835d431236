"""Architecture guards: services import only sift.core and sift.contracts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from sift import SERVICES

SRC = Path(__file__).resolve().parents[1] / "src" / "sift"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_service_imports_no_other_service(service: str) -> None:
    others = {f"sift.{name}" for name in SERVICES if name != service} | {"sift.runtime"}
    offending = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in (SRC / service).rglob("*.py")
        for module in _imported_modules(path)
        if any(module == other or module.startswith(other + ".") for other in others)
    ]
    assert offending == []


def test_core_and_contracts_import_no_service() -> None:
    forbidden = {f"sift.{name}" for name in (*SERVICES, "runtime")}
    offending = [
        f"{path.relative_to(SRC)} imports {module}"
        for package in ("core", "contracts")
        for path in (SRC / package).rglob("*.py")
        for module in _imported_modules(path)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    ]
    assert offending == []


def test_contracts_are_plain_data() -> None:
    offending = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in (SRC / "contracts").rglob("*.py")
        for module in _imported_modules(path)
        if module == "sift.core" or module.startswith("sift.core.")
    ]
    assert offending == []


def test_import_linter_contracts_hold() -> None:
    # The same rules and tool as the `make lint` step.
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=SRC.parents[1],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_checker_catches_a_violation(tmp_path: Path) -> None:
    offender = tmp_path / "bad.py"
    offender.write_text("from sift.documents.models import Base\nimport sift.search.app\n")
    assert _imported_modules(offender) == {"sift.documents.models", "sift.search.app"}
