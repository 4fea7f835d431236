"""Hot SQL statements of a load run, with an upper bound on their p95.

`pg_stat_statements` keeps each statement's calls, mean and maximum, not percentiles. So
for the run the server also logs every statement slower than the threshold
(`log_min_duration_statement`) with its query ID (`%Q` in `log_line_prefix`, the same ID
`pg_stat_statements` keys on): a statement whose slow calls are at most 5 % of its calls
has a p95 under the threshold. Both settings are reset when the run ends.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg

THRESHOLD_MS = 10
TOP = 15  # the statements with the most calls
SLOW_LINE = re.compile(r"qid=(-?\d+) .*?duration: [\d.]+ ms")
STATEMENTS = """
SELECT queryid, calls, mean_exec_time, max_exec_time,
       left(regexp_replace(query, '\\s+', ' ', 'g'), 110)
FROM pg_stat_statements
WHERE query !~* '^\\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|SELECT pg_)'
ORDER BY calls DESC LIMIT %s
"""


@dataclass(frozen=True)
class HotStatement:
    calls: int
    mean_ms: float
    max_ms: float
    slow_calls: int
    query: str

    @property
    def slow_share(self) -> float:
        return self.slow_calls / self.calls if self.calls else 0.0

    @property
    def p95_under_threshold(self) -> bool:
        return self.slow_share <= 0.05


class HotSql:
    """Around one scenario: `start()` before k6, `finish()` after it."""

    def __init__(self, database_url: str, server_log: Path) -> None:
        self.database_url = database_url
        self.server_log = server_log
        self.offset = 0

    def start(self) -> None:
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            connection.execute(f"ALTER SYSTEM SET log_min_duration_statement = {THRESHOLD_MS}")
            connection.execute("ALTER SYSTEM SET log_line_prefix = '%m [%p] qid=%Q '")
            connection.execute("SELECT pg_reload_conf()")
            connection.execute("SELECT pg_stat_statements_reset()")
        self.offset = self.server_log.stat().st_size if self.server_log.exists() else 0

    def finish(self) -> list[HotStatement]:
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            rows = connection.execute(STATEMENTS, (TOP,)).fetchall()
            connection.execute("ALTER SYSTEM RESET log_min_duration_statement")
            connection.execute("ALTER SYSTEM RESET log_line_prefix")
            connection.execute("SELECT pg_reload_conf()")
        slow: Counter[int] = Counter()
        with self.server_log.open("rb") as log:
            log.seek(self.offset)
            for line in log.read().decode(errors="replace").splitlines():
                if match := SLOW_LINE.search(line):
                    slow[int(match.group(1))] += 1
        return [
            HotStatement(calls, mean, peak, slow[queryid], query)
            for queryid, calls, mean, peak, query in rows
        ]


def render(statements: list[HotStatement]) -> list[str]:
    if not statements:
        return []
    met = all(s.p95_under_threshold for s in statements)
    lines = [
        f"Hot SQL (the {len(statements)} statements with the most calls, `pg_stat_statements`;"
        f" slow: calls over {THRESHOLD_MS} ms in the server log; p95 < {THRESHOLD_MS} ms when"
        f" at most 5 % are slow): **{'every one under' if met else 'not every one under'}**.",
        "",
        "| calls | mean ms | max ms | slow calls | p95 < 10 ms | statement |",
        "|---:|---:|---:|---:|---|---|",
    ]
    for s in statements:
        query = s.query.replace("|", "\\|")
        verdict = "yes" if s.p95_under_threshold else f"**no** ({s.slow_share:.1%})"
        lines.append(
            f"| {s.calls} | {s.mean_ms:.2f} | {s.max_ms:.1f} | {s.slow_calls} | {verdict} "
            f"| `{query}` |"
        )
    return [*lines, ""]
