"""What `sift up` prints: a short list of steps, then how to use the running stack.

Everything else (every process's log lines, `sift up`'s own) goes to the log files;
`--verbose` streams them here as well.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sift.runtime.logs import last_lines, log_path
from sift.runtime.owner import FirstOwner
from sift.runtime.readiness import Outcome

STEP_WIDTH = 12
READY_LINE = "Sift is up: "
STOP_LINE = "  Stop:      "  # the ready block's last line: `sift up --detach` waits for it


@dataclass
class Console:
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def step(self, name: str, detail: str, *, since: float | None = None) -> None:
        took = f" ({time.monotonic() - since:.1f} s)" if since is not None else ""
        self.say(f"  {name:<{STEP_WIDTH}} {detail}{took}")

    def failed(self, reason: str, logs: Sequence[Path], tail: Sequence[str] = ()) -> None:
        """Why the start stopped, in words, with the logs that tell more."""
        lines = [f"sift up: {reason}"]
        lines += [f"    {line}" for line in tail]
        if logs:
            lines.append("  see " + ", ".join(str(path) for path in logs))
        self.err.write("\n".join(lines) + "\n")
        self.err.flush()


def sign_in_lines(owner: FirstOwner, url: str) -> list[str]:
    if owner.password is not None and owner.email is not None:
        return [
            f"  Sign in:   {owner.email} / {owner.password}",
            "             (the first owner, made now; this password is shown only once:"
            " change it under Settings > Security)",
        ]
    if owner.needs_creating:
        return [
            "  Sign in:   no account yet; create the first owner with",
            "             sift owner create --email you@example.com",
        ]
    if owner.email is not None:
        return [
            f"  Sign in:   {owner.email} (its password was shown at the first start;"
            f" forgotten: Forgot password at {url.rstrip('/')}/forgot-password)",
        ]
    return [f"  Sign in:   with your account at {url.rstrip('/')}/sign-in"]


def ready_block(
    *,
    url: str,
    owner: FirstOwner,
    mail: str | None,
    logs: Path,
    detached: bool,
    took: float,
) -> list[str]:
    stop = "sift stop" if detached else "Ctrl-C (or `sift stop` from another terminal)"
    lines = [
        "",
        f"{READY_LINE}{url}  (in {took:.0f} s)",
        *sign_in_lines(owner, url),
    ]
    if mail is not None:
        lines.append(f"  Mail:      caught, not sent: read it at {mail}")
    lines += [
        f"  Logs:      {logs}/  (`sift logs [process] [-f]`)",
        "  Status:    sift status",
        f"{STOP_LINE}{stop}",
    ]
    return lines


def explain_failure(console: Console, outcome: Outcome, logs: Path, timeout: float) -> None:
    """Which process did not come up, in words, with the end of its log."""
    if outcome.crashed is not None:
        codes = ", ".join(str(code) for code in outcome.exit_codes)
        path = log_path(logs, outcome.crashed)
        console.failed(
            f"{outcome.crashed} keeps exiting while starting (exit status {codes}); "
            "Sift is stopped. The end of its log:",
            [path],
            last_lines(path, 8),
        )
        return
    names = sorted({check.name for check in outcome.waiting})
    processes = sorted({check.process for check in outcome.waiting})
    first = log_path(logs, processes[0]) if processes else None
    console.failed(
        f"not ready after {timeout:.0f} s: {', '.join(names) or 'nothing answered'} "
        "did not answer; Sift is stopped (a slow machine: raise --ready-timeout). "
        + (f"The end of {processes[0]}'s log:" if first else ""),
        [log_path(logs, name) for name in processes],
        last_lines(first, 8) if first else (),
    )
