"""`scripts/audit_deps.py` judges the reports of pip-audit and npm audit honestly: no
advisory data is SKIPPED (never PASSED), an unlisted advisory FAILED, a listed one needs
its reason. The reports are the tools' real JSON shapes (their runs need the network)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_deps.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


audit = load_script()
NOT_ON_PYPI = "Dependency not found on PyPI and could not be audited: idna (3.10)"
JINJA = {"name": "jinja2", "version": "3.1.2", "vulns": []}
ADVISORY = {"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"], "fix_versions": ["3.1.3"]}


def test_pip_audit_that_could_look_nothing_up_is_skipped_not_passed() -> None:
    report = {"dependencies": [{"name": "idna", "skip_reason": NOT_ON_PYPI}], "fixes": []}
    verdict = audit.judge_pip_audit(report, {})
    assert verdict.status == "SKIPPED" and NOT_ON_PYPI in verdict.reason


def test_pip_audit_advisories_fail_unless_listed_with_a_reason() -> None:
    report = {"dependencies": [{**JINJA, "vulns": [ADVISORY]}]}
    failed = audit.judge_pip_audit(report, {})
    assert failed.status == "FAILED"
    assert failed.findings == ["jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"]
    excepted = audit.judge_pip_audit(report, {"CVE-2024-22195": "no xmlattr filter in use"})
    assert excepted.status == "PASSED"
    assert audit.judge_pip_audit({"dependencies": [JINJA]}, {}).status == "PASSED"


def test_pip_audit_that_checked_only_some_packages_says_which_were_not() -> None:
    report = {"dependencies": [JINJA, {"name": "idna", "skip_reason": NOT_ON_PYPI}]}
    verdict = audit.judge_pip_audit(report, {})
    assert verdict.status == "SKIPPED"
    assert verdict.findings == [f"idna not audited: {NOT_ON_PYPI}"]


def test_npm_audit_without_the_advisory_endpoint_is_skipped() -> None:
    message = (
        "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk"
    )
    report = {"message": message, "statusCode": 405, "error": {"summary": ""}}
    assert audit.judge_npm_audit(report, {}) == audit.Verdict("npm audit", "SKIPPED", message)


def test_npm_audit_advisories_fail_unless_listed() -> None:
    via = {
        "source": 1096727,
        "url": "https://github.com/advisories/GHSA-952p-6rrq-rcjv",
        "severity": "moderate",
        "title": "micromatch ReDoS",
    }
    report = {
        "auditReportVersion": 2,
        "vulnerabilities": {
            "micromatch": {"via": [via]},
            "fast-glob": {"via": ["micromatch"]},  # affected through micromatch: one finding
        },
        "metadata": {"dependencies": {"total": 812}},
    }
    failed = audit.judge_npm_audit(report, {})
    assert failed.findings == ["micromatch: GHSA-952p-6rrq-rcjv moderate micromatch ReDoS"]
    listed = audit.judge_npm_audit(report, {"GHSA-952p-6rrq-rcjv": "build tool only"})
    assert listed == audit.Verdict("npm audit", "PASSED", "812 packages")


def test_an_exception_without_a_reason_is_refused(tmp_path: Path) -> None:
    listed = tmp_path / "exceptions.toml"
    listed.write_text('[[advisory]]\nid = "GHSA-1"\npackage = "x"\nreason = " "\n')
    with pytest.raises(SystemExit, match="GHSA-1 has no reason"):
        audit.load_exceptions(listed)
    listed.write_text('[[advisory]]\nid = "GHSA-1"\npackage = "x"\nreason = "unused"\n')
    assert audit.load_exceptions(listed) == {"GHSA-1": "unused"}
    assert audit.load_exceptions() == {}  # the repository lists none today
