#!/usr/bin/env python3
"""Known vulnerabilities in the pinned dependencies: pip-audit over `requirements.lock`,
npm audit over `web/package-lock.json`.

Each audit ends in one verdict:
- PASSED: every dependency was checked against advisory data and none is affected, or
  each advisory found is listed in `scripts/audit_exceptions.toml` with why it does not
  apply to Sift;
- FAILED: an advisory that is not listed (exit 1);
- SKIPPED: no advisory data could be had (offline, or a mirror without the audit API);
  the reason is printed and it is never counted as a pass. Exit 0, or 2 with `--strict`
  (for CI, which has the network).

pip-audit reports "No known vulnerabilities found" even when it could look up none of the
packages, so its per-package skip reasons are read, not its summary.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = ROOT / "scripts" / "audit_exceptions.toml"
TIMEOUT_SECONDS = 600


@dataclass
class Verdict:
    audit: str
    status: str  # PASSED, FAILED, SKIPPED
    reason: str = ""
    findings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.audit}: {self.status}" + (f" ({self.reason})" if self.reason else "")]
        lines += [f"  - {finding}" for finding in self.findings]
        return "\n".join(lines)


def load_exceptions(path: Path = EXCEPTIONS) -> dict[str, str]:
    """Advisory ID -> why it does not apply; an entry without a reason is refused."""
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("advisory", [])
    excepted = {}
    for entry in entries:
        reason = str(entry.get("reason", "")).strip()
        if not reason:
            raise SystemExit(f"{path}: {entry.get('id')} has no reason; say why it does not apply")
        excepted[str(entry["id"])] = reason
    return excepted


def judge_pip_audit(report: dict[str, Any], excepted: dict[str, str]) -> Verdict:
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    if not audited:
        reason = skipped[0]["skip_reason"] if skipped else "no dependency was audited"
        return Verdict("pip-audit", "SKIPPED", f"{len(skipped)} not audited, e.g. {reason}")
    findings = []
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            if not any(i in excepted for i in ids):
                fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
                findings.append(
                    f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})"
                )
    not_audited = [f"{d['name']} not audited: {d['skip_reason']}" for d in skipped]
    if findings:
        return Verdict("pip-audit", "FAILED", "", findings + not_audited)
    if skipped:
        reason = f"{len(audited)} audited, {len(skipped)} could not be"
        return Verdict("pip-audit", "SKIPPED", reason, not_audited)
    return Verdict("pip-audit", "PASSED", f"{len(audited)} packages")


def judge_npm_audit(report: dict[str, Any], excepted: dict[str, str]) -> Verdict:
    if "error" in report or "auditReportVersion" not in report:
        reason = report.get("message") or report.get("error", {}).get("summary") or "no report"
        return Verdict("npm audit", "SKIPPED", str(reason))
    findings = []
    for name, vulnerability in sorted(report.get("vulnerabilities", {}).items()):
        for via in vulnerability.get("via", []):
            if not isinstance(via, dict):
                continue  # a dependency that is vulnerable through another one, listed itself
            advisory = str(via.get("url", "")).rstrip("/").rsplit("/", 1)[-1] or str(via)
            if advisory not in excepted:
                findings.append(f"{name}: {advisory} {via.get('severity')} {via.get('title')}")
    if findings:
        return Verdict("npm audit", "FAILED", "", findings)
    total = report.get("metadata", {}).get("dependencies", {}).get("total", "?")
    return Verdict("npm audit", "PASSED", f"{total} packages")


def run_json(command: list[str], cwd: Path) -> tuple[dict[str, Any] | None, str]:
    """The command's JSON report, or None and why there is none."""
    try:
        done = subprocess.run(  # the fixed commands above, never a shell
            command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{command[0]} did not run: {exc}"
    try:
        return json.loads(done.stdout), ""
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"{command[0]} gave no report: {last}"


def pip_audit(excepted: dict[str, str]) -> Verdict:
    executable = shutil.which("pip-audit", path=str(Path(sys.executable).parent)) or "pip-audit"
    command = [executable, "-r", "requirements.lock", "--no-deps", "--disable-pip"]
    command += ["--progress-spinner", "off", "--format", "json"]
    report, why = run_json(command, ROOT)
    return judge_pip_audit(report, excepted) if report else Verdict("pip-audit", "SKIPPED", why)


def npm_audit(excepted: dict[str, str]) -> Verdict:
    command = ["npm", "audit", "--json", "--package-lock-only"]
    report, why = run_json(command, ROOT / "web")
    return judge_npm_audit(report, excepted) if report else Verdict("npm audit", "SKIPPED", why)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="a SKIPPED audit exits 2")
    args = parser.parse_args(argv)
    excepted = load_exceptions()
    verdicts = [pip_audit(excepted), npm_audit(excepted)]
    for verdict in verdicts:
        print(verdict)
    if any(v.status == "FAILED" for v in verdicts):
        return 1
    if args.strict and any(v.status == "SKIPPED" for v in verdicts):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
